// Every answer matches the protocol schema the OpenAPI document names for its route, with no
// field the schema does not declare (parse(body) must equal body).
import { describe, expect, it } from "vitest";
import { ROUTES } from "./http/openapi.js";
import { testController } from "./test-helpers.js";

const POLICY = `
rules:
  - name: web-to-db
    from: { role: web }
    to: { role: db }
    services: [tcp/5432]
`;

type T = Awaited<ReturnType<typeof testController>>;

function schemaFor(method: string, path: string) {
  const route = ROUTES.find((r) => {
    const re = new RegExp(`^${r.path.replace(/:[a-zA-Z]+/g, "[^/]+")}$`);
    return r.method === method.toLowerCase() && re.test(path.split("?")[0] ?? "");
  });
  if (route === undefined) throw new Error(`no documented route for ${method} ${path}`);
  return route.response;
}

async function checked(t: T, method: string, path: string, body?: unknown, auth?: string | false) {
  const res = await t.call(method, path, body, auth);
  expect(res.status, `${method} ${path}: ${res.text}`).toBeLessThan(300);
  const schema = schemaFor(method, path);
  if (schema !== undefined) expect(schema.parse(res.body)).toEqual(res.body);
  return res.body;
}

describe("answers match the protocol schemas", () => {
  it("for every admin and agent route", async () => {
    const t = await testController();
    await checked(t, "PUT", "/api/v1/workloads/db-1", {
      labels: { role: "db" },
      addresses: ["198.18.1.20"],
    });
    await checked(t, "PATCH", "/api/v1/workloads/db-1", { labels: { tier: "data" } });
    await checked(t, "GET", "/api/v1/workloads");
    await checked(t, "GET", "/api/v1/workloads/db-1");
    const tests = "tests:\n  - { from: db-1, to: db-1, port: tcp/1, expect: allow }\n";
    expect(
      (await checked(t, "PUT", "/api/v1/policy/draft", `${POLICY}${tests}`)).tests.failed,
    ).toBe(1);
    await checked(t, "PUT", "/api/v1/policy/draft", POLICY);
    await checked(t, "GET", "/api/v1/policy/draft");
    await checked(t, "GET", "/api/v1/policy/diff");
    await checked(t, "POST", "/api/v1/policy/provision", { comment: "one" });
    await checked(t, "GET", "/api/v1/policy/active");
    await checked(t, "GET", "/api/v1/policy/history");
    await checked(t, "GET", "/api/v1/policy/revisions/1");
    const prof = await checked(t, "POST", "/api/v1/enrol-profiles", {
      name: "web",
      labels: { role: "web" },
    });
    await checked(t, "GET", "/api/v1/enrol-profiles");
    const enrol = await checked(
      t,
      "POST",
      "/api/v1/enrol",
      {
        key: prof.key,
        hostname: "web-1",
        interfaces: [{ name: "eth0", addresses: ["198.18.1.10"] }],
      },
      false,
    );
    const policy = await checked(t, "GET", "/api/v1/agent/policy", undefined, enrol.credential);
    const ack = { applied: { revision: 1, rulesetHash: policy.ruleSet.hash, ok: true, ms: 2 } };
    await checked(t, "POST", "/api/v1/agent/status", ack, enrol.credential);
    const at = Date.now();
    const flow = ["out", "tcp", "198.18.1.10", "198.18.1.20", 22, "blocked", 1, 2, 3, at, at];
    const flows = { seq: 1, records: [flow] };
    await checked(t, "POST", "/api/v1/agent/flows", flows, enrol.credential);
    expect((await checked(t, "GET", "/api/v1/flows?since=1h&label=role=db")).edges).toHaveLength(1);
    await checked(t, "GET", "/api/v1/map?groupBy=role");
    await checked(t, "GET", "/api/v1/agents");
    await checked(t, "GET", `/api/v1/agents/${enrol.agentId}`);
    await checked(t, "GET", "/api/v1/status");
    await checked(t, "GET", "/api/v1/audit");
    await checked(t, "GET", "/api/v1/audit/verify");
    await checked(t, "POST", `/api/v1/agents/${enrol.agentId}/revoke`);
    await checked(t, "POST", `/api/v1/enrol-profiles/${prof.profile.id}/revoke`);
    await checked(
      t,
      "PUT",
      "/api/v1/policy/draft",
      `${POLICY}  - { name: any-dns, from: any, to: any, services: [udp/53] }\n`,
    );
    await checked(t, "POST", "/api/v1/policy/provision", {});
    await checked(t, "POST", "/api/v1/policy/rollback", { to: 1 });
    await checked(t, "DELETE", "/api/v1/workloads/db-1");
  });
});
