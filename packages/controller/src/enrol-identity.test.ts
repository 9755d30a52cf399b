// Who an enrolling agent becomes is the control plane's decision: it cannot take a workload that
// has an agent, nor one an admin created (unless a profile bound to it says so), nor an address
// another workload holds.
import { describe, expect, it } from "vitest";
import { testController } from "./test-helpers.js";

type T = Awaited<ReturnType<typeof testController>>;

async function profile(t: T, body: Record<string, unknown>): Promise<string> {
  const p = await t.call("POST", "/api/v1/enrol-profiles", body);
  if (p.status !== 201) throw new Error(`profile: ${p.text}`);
  return p.body.key as string;
}

function enrol(t: T, key: string, hostname: string, address: string, workload?: string) {
  const interfaces = [{ name: "eth0", addresses: [address] }];
  const body = { key, hostname, interfaces, ...(workload !== undefined && { workload }) };
  return t.call("POST", "/api/v1/enrol", body, false);
}

describe("enrolment: a workload is not taken", () => {
  it("refuses a workload whose agent is offline: 409 naming it, its agent and the fix", async () => {
    let now = new Date("2026-06-01T00:00:00Z");
    const t = await testController({ clock: () => now });
    const first = await t.enrol("db-1", "198.18.1.20", { role: "db" });
    now = new Date(now.getTime() + 3_600_000);
    expect((await t.call("GET", `/api/v1/agents/${first.id}`)).body.online).toBe(false);
    const key = await profile(t, { name: "dev", labels: { role: "dev" } });
    const r = await enrol(t, key, "laptop", "198.18.9.9", "db-1");
    expect([r.status, r.body.error.code]).toEqual([409, "MSEG_API_CONFLICT"]);
    expect(r.body.error.message).toContain('workload "db-1"');
    expect(r.body.error.message).toContain(first.id);
    expect(r.body.error.message).toContain("microseg agents revoke");
    expect((await t.call("GET", "/api/v1/workloads/db-1")).body.labels).toEqual({ role: "db" });
  });

  it("does not take an admin-created workload nor overwrite its labels", async () => {
    const t = await testController();
    await t.call("PUT", "/api/v1/workloads/db-1", {
      labels: { role: "db", tier: "gold" },
      addresses: ["198.18.1.20"],
    });
    const key = await profile(t, { name: "dev", labels: { role: "dev" } });
    const r = await enrol(t, key, "db-1", "198.18.1.20");
    expect([r.status, r.body.error.code]).toEqual([409, "MSEG_API_CONFLICT"]);
    expect(r.body.error.message).toContain("--workload db-1");
    const w = (await t.call("GET", "/api/v1/workloads/db-1")).body;
    expect(w.labels).toEqual({ role: "db", tier: "gold" });
    expect((await t.call("GET", "/api/v1/agents")).body.agents).toEqual([]);
    // The refused enrolment spent no use of the key.
    expect((await t.call("GET", "/api/v1/enrol-profiles")).body.profiles[0].uses).toBe(0);
  });

  it("does not take a workload the active policy declares", async () => {
    const t = await testController();
    const text =
      "workloads:\n  - name: db-1\n    labels: { role: db }\n    addresses: [198.18.1.20]\n";
    expect((await t.call("PUT", "/api/v1/policy/draft", text)).status).toBe(200);
    expect((await t.call("POST", "/api/v1/policy/provision", {})).status).toBe(201);
    const key = await profile(t, { name: "dev", labels: { role: "dev" } });
    const r = await enrol(t, key, "db-1", "198.18.1.20");
    expect([r.status, r.body.error.code]).toEqual([409, "MSEG_API_CONFLICT"]);
    expect(t.ctx.hub.workload("db-1")?.labels).toEqual({ role: "db" });
  });

  it("re-assigns a workload only through a profile bound to it, keeping its labels and mode", async () => {
    const t = await testController();
    const old = await t.enrol("db-1", "198.18.1.20", { role: "db" }, "test");
    await t.call("PATCH", "/api/v1/workloads/db-1", { labels: { tier: "gold" } });
    expect((await t.call("POST", `/api/v1/agents/${old.id}/revoke`)).status).toBe(200);
    const generic = await profile(t, { name: "fleet", labels: { role: "dev" } });
    expect((await enrol(t, generic, "db-1", "198.18.1.21")).status).toBe(409);

    const bound = await profile(t, { name: "db-1-again", workload: "db-1", maxUses: 1 });
    expect((await t.call("GET", "/api/v1/enrol-profiles")).body.profiles).toContainEqual(
      expect.objectContaining({ name: "db-1-again", workload: "db-1" }),
    );
    const wrong = await enrol(t, bound, "other", "198.18.1.21", "web-9");
    expect([wrong.status, wrong.body.error.code]).toEqual([403, "MSEG_ENROL_REFUSED"]);
    expect(wrong.body.error.message).toContain('"db-1"');
    // No --workload: the profile decides, whatever the hostname.
    const r = await enrol(t, bound, "new-host", "198.18.1.21");
    expect(r.status).toBe(201);
    expect(r.body.workload).toMatchObject({
      name: "db-1",
      labels: { role: "db", tier: "gold" },
      mode: "test",
      addresses: ["198.18.1.21"],
    });
  });

  it("gives a new workload the profile's labels and mode (bound or not)", async () => {
    const t = await testController();
    const bound = await profile(t, { name: "b", workload: "cache-1", labels: { role: "cache" } });
    const r = await enrol(t, bound, "host-77", "198.18.1.77");
    expect(r.status).toBe(201);
    expect(r.body.workload).toMatchObject({ name: "cache-1", labels: { role: "cache" } });
  });
});

describe("enrolment and workload PUT: an address belongs to one workload", () => {
  it("refuses an enrolment claiming another workload's address, naming the holder", async () => {
    const t = await testController();
    await t.enrol("db-1", "198.18.1.20", { role: "db" });
    const key = await profile(t, { name: "web", labels: { role: "web" } });
    const r = await enrol(t, key, "web-1", "198.18.1.20");
    expect([r.status, r.body.error.code]).toEqual([409, "MSEG_API_CONFLICT"]);
    expect(r.body.error.message).toContain("198.18.1.20");
    expect(r.body.error.message).toContain('workload "db-1"');
    expect(r.body.error.details).toMatchObject({ address: "198.18.1.20", holder: "db-1" });
    expect((await t.call("GET", "/api/v1/workloads/web-1")).status).toBe(404);
    const profiles = (await t.call("GET", "/api/v1/enrol-profiles")).body.profiles;
    expect(profiles.find((p: { name: string }) => p.name === "web").uses).toBe(0);
  });

  it("refuses a PUT giving a workload another's address; its own stays its own", async () => {
    const t = await testController();
    await t.call("PUT", "/api/v1/workloads/db-1", { addresses: ["198.18.1.20", "2001:2::20"] });
    const r = await t.call("PUT", "/api/v1/workloads/web-1", { addresses: ["2001:2:0::20"] });
    expect([r.status, r.body.error.code]).toEqual([409, "MSEG_API_CONFLICT"]);
    expect(r.body.error.message).toContain('workload "db-1"');
    const again = await t.call("PUT", "/api/v1/workloads/db-1", {
      labels: { role: "db" },
      addresses: ["198.18.1.20"],
    });
    expect(again.status).toBe(200);
    expect(
      (await t.call("PUT", "/api/v1/workloads/web-1", { addresses: ["2001:2::20"] })).status,
    ).toBe(201);
  });
});

describe("names and profile fields are validated like the admin API", () => {
  const BAD = ["web\u001b[31m", "web\nroot", "web\u2028x", "web\u202e1"];

  it("refuses hostnames, workload names and interface names with control characters", async () => {
    const t = await testController();
    const key = await profile(t, { name: "any", maxUses: 100 });
    for (const bad of BAD) {
      const host = await enrol(t, key, bad, "198.18.1.10");
      expect([host.status, host.body.error.details.issues[0].path]).toEqual([400, "hostname"]);
      const name = await enrol(t, key, "h", "198.18.1.10", bad);
      expect([name.status, name.body.error.details.issues[0].path]).toEqual([400, "workload"]);
      const iface = await t.call(
        "POST",
        "/api/v1/enrol",
        { key, hostname: "h", interfaces: [{ name: bad, addresses: ["198.18.1.10"] }] },
        false,
      );
      expect([iface.status, iface.body.error.details.issues[0].path]).toEqual([
        400,
        "interfaces.0.name",
      ]);
      const put = await t.call("PUT", `/api/v1/workloads/${encodeURIComponent(bad)}`, {});
      expect(put.status).toBe(400);
    }
    expect((await t.call("GET", "/api/v1/agents")).body.agents).toEqual([]);
  });

  it("refuses a name that reads as an address, and a hostname that is no workload name", async () => {
    const t = await testController();
    expect((await t.call("PUT", "/api/v1/workloads/10.0.0.1", {})).status).toBe(400);
    const key = await profile(t, { name: "any" });
    const r = await enrol(t, key, "Web_1", "198.18.1.10");
    expect([r.status, r.body.error.code]).toEqual([400, "MSEG_API_BAD_REQUEST"]);
    expect(r.body.error.message).toContain("--workload");
    // An upper-case hostname becomes its lower-case workload name.
    const ok = await enrol(t, key, "WEB-1.Example.COM", "198.18.1.10");
    expect([ok.status, ok.body.workload.name]).toEqual([201, "web-1.example.com"]);
  });

  it("refuses label keys and values outside the label grammar, __proto__ included", async () => {
    const t = await testController();
    const raw = (method: string, path: string, json: string) =>
      t.app.request(path, {
        method,
        headers: { authorization: `Bearer ${t.token}`, "content-type": "application/json" },
        body: json,
      });
    await t.call("PUT", "/api/v1/workloads/web-1", {});
    const bodies: [string, string, string][] = [
      ["POST", "/api/v1/enrol-profiles", '{"name":"p","labels":{"__proto__":"x"}}'],
      ["PUT", "/api/v1/workloads/web-2", '{"labels":{"__proto__":"x"}}'],
      ["PATCH", "/api/v1/workloads/web-1", '{"labels":{"__proto__":"x"}}'],
      ["POST", "/api/v1/enrol-profiles", '{"name":"p","labels":{"role":"web\\u001b[31m"}}'],
      ["PUT", "/api/v1/workloads/web-2", '{"labels":{"role":"a\\nb"}}'],
      ["PATCH", "/api/v1/workloads/web-1", '{"labels":{"ro le":"x"}}'],
    ];
    for (const [method, path, json] of bodies) {
      const res = await raw(method, path, json);
      const body = (await res.json()) as { error: { code: string; details: unknown } };
      expect([method, path, res.status, body.error.code]).toEqual([
        method,
        path,
        400,
        "MSEG_API_BAD_REQUEST",
      ]);
    }
    expect((await t.call("GET", "/api/v1/enrol-profiles")).body.profiles).toEqual([]);
    expect((await t.call("GET", "/api/v1/workloads/web-2")).status).toBe(404);
  });

  it("refuses an expiry that is not an ISO-8601 time and uses that are not a positive integer", async () => {
    const t = await testController();
    for (const expiresAt of ["not-a-date", "2026-02-30T00:00:00Z", "tomorrow", ""]) {
      const r = await t.call("POST", "/api/v1/enrol-profiles", { name: "p", expiresAt });
      expect([expiresAt, r.status, r.body.error?.details.issues[0].path]).toEqual([
        expiresAt,
        400,
        "expiresAt",
      ]);
    }
    for (const maxUses of [0, -1, 1.5, 1e20]) {
      const r = await t.call("POST", "/api/v1/enrol-profiles", { name: "p", maxUses });
      expect([maxUses, r.status]).toEqual([maxUses, 400]);
    }
    for (const name of ["P", "p\u001b", "-p", ""]) {
      expect((await t.call("POST", "/api/v1/enrol-profiles", { name })).status).toBe(400);
    }
    const ok = await t.call("POST", "/api/v1/enrol-profiles", {
      name: "p",
      expiresAt: "2027-01-01T02:00:00+02:00",
    });
    expect([ok.status, ok.body.profile.expiresAt]).toEqual([201, "2027-01-01T00:00:00.000Z"]);
  });
});
