import { describe, expect, it } from "vitest";
import { testController } from "./test-helpers.js";

const POLICY = `
rules:
  - name: web-to-db
    from: { role: web }
    to: { role: db }
    services: [tcp/5432]
`;
const POLICY2 = `${POLICY}  - name: db-to-web
    from: { role: db }
    to: { role: web }
    services: [tcp/80]
`;

async function withInventory() {
  const t = await testController();
  await t.call("PUT", "/api/v1/workloads/web-1", {
    labels: { role: "web" },
    addresses: ["198.18.1.10"],
  });
  await t.call("PUT", "/api/v1/workloads/db-1", {
    labels: { role: "db" },
    addresses: ["198.18.1.20"],
  });
  return t;
}

describe("policy lifecycle", () => {
  it("rejects an invalid draft with every diagnostic and saves nothing", async () => {
    const t = await withInventory();
    expect((await t.call("PUT", "/api/v1/policy/draft", POLICY)).status).toBe(200);
    const bad = await t.call(
      "PUT",
      "/api/v1/policy/draft",
      "rules:\n  - name: x\n    form: {}\n    to: { role: db }\n",
    );
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe("MSEG_POLICY_INVALID");
    const d = bad.body.error.details.diagnostics;
    expect(d.length).toBeGreaterThan(0);
    expect(d).toContainEqual(
      expect.objectContaining({
        code: "MSEG_POLICY_UNKNOWN_FIELD",
        path: "rules[0].form",
        line: 3,
      }),
    );
    expect((await t.call("GET", "/api/v1/policy/draft")).body.text).toBe(POLICY);
  });

  it("takes the draft as JSON {text} too, and gives it back as YAML on request", async () => {
    const t = await withInventory();
    const saved = await t.call("PUT", "/api/v1/policy/draft", { text: POLICY });
    expect(saved.body.summary).toEqual({ rules: 1, ipLists: 0, workloads: 0 });
    expect(Object.keys(saved.body.draft).sort()).toEqual([
      "baseRevision",
      "name",
      "text",
      "updatedAt",
      "updatedBy",
    ]);
    const res = await t.app.request("/api/v1/policy/draft", {
      headers: { authorization: `Bearer ${t.token}`, accept: "application/yaml" },
    });
    expect(await res.text()).toBe(POLICY);
  });

  it("diffs, provisions, lists history, refuses an unchanged provision, rolls back", async () => {
    const t = await withInventory();
    expect((await t.call("POST", "/api/v1/policy/provision", {})).status).toBe(404);
    await t.call("PUT", "/api/v1/policy/draft", POLICY);
    const diff = await t.call("GET", "/api/v1/policy/diff");
    expect(diff.body.active).toBeNull();
    expect(diff.body.rules).toEqual([{ id: "web-to-db", change: "added" }]);
    const web = diff.body.workloads.find((w: { workload: string }) => w.workload === "web-1");
    expect(web.change).toBe("added");
    expect(web.added).toContain("outbound allow web-to-db peer=198.18.1.20/32 ports=tcp/5432");

    const p1 = await t.call("POST", "/api/v1/policy/provision", { comment: "first" });
    expect(p1.status).toBe(201);
    expect(p1.body.revision).toMatchObject({ number: 1, comment: "first", author: "token/admin" });
    expect(p1.body.changedWorkloads).toEqual(["db-1", "web-1"]);
    expect((await t.call("GET", "/api/v1/policy/diff")).body.identical).toBe(true);
    const again = await t.call("POST", "/api/v1/policy/provision", {});
    expect([again.status, again.body.error.code]).toEqual([409, "MSEG_POLICY_UNCHANGED"]);

    await t.call("PUT", "/api/v1/policy/draft", POLICY2);
    const d2 = await t.call("GET", "/api/v1/policy/diff");
    expect(d2.body.rules).toEqual([{ id: "db-to-web", change: "added" }]);
    const stale = await t.call("POST", "/api/v1/policy/provision", { expectedActive: 7 });
    expect([stale.status, stale.body.error.code]).toEqual([409, "MSEG_POLICY_STALE"]);
    expect((await t.call("POST", "/api/v1/policy/provision", { expectedActive: 1 })).status).toBe(
      201,
    );

    const back = await t.call("POST", "/api/v1/policy/rollback", { to: 1, comment: "undo" });
    expect(back.status).toBe(201);
    expect(back.body.revision).toMatchObject({ number: 3, rolledBackFrom: 1 });
    const hist = await t.call("GET", "/api/v1/policy/history");
    expect(hist.body.active).toBe(3);
    expect(hist.body.revisions.map((r: { number: number }) => r.number)).toEqual([3, 2, 1]);
    expect((await t.call("GET", "/api/v1/policy/revisions/1")).body.text).toBe(POLICY);
    expect((await t.call("GET", "/api/v1/policy/active")).body.number).toBe(3);
    expect((await t.call("GET", "/api/v1/policy/revisions/9")).status).toBe(404);
    expect((await t.call("GET", "/api/v1/status")).body.activeRevision).toBe(3);
  });

  it("runs the draft's tests: against the inventory and reports failures without refusing", async () => {
    const t = await withInventory();
    const text = `${POLICY}tests:
  - { from: web-1, to: db-1, port: tcp/5432, expect: allow }
  - { from: db-1, to: web-1, port: tcp/80, expect: allow }
`;
    const r = await t.call("PUT", "/api/v1/policy/draft", text);
    expect(r.status).toBe(200);
    expect(r.body.tests).toEqual({
      passed: 1,
      failed: 1,
      failures: [
        {
          path: "tests[1]",
          from: "db-1",
          to: "web-1",
          port: "tcp/80",
          expect: "allow",
          got: "deny",
        },
      ],
    });
    expect((await t.call("PUT", "/api/v1/policy/draft", POLICY)).body.tests).toBeUndefined();
  });

  it("accepts Kubernetes NetworkPolicy documents in the draft", async () => {
    const t = await testController();
    const np = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: deny-all, namespace: x }
spec:
  podSelector: {}
  policyTypes: [Ingress]
`;
    const r = await t.call("PUT", "/api/v1/policy/draft", np);
    expect(r.status).toBe(200);
    expect((await t.call("POST", "/api/v1/policy/provision", {})).status).toBe(201);
  });
});
