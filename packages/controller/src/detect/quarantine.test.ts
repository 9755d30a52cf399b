// Quarantine through the API: the store (audited), the hub (deny-all RuleSet in enforce, the
// workload gone from its peers' sets, exactly the affected long-polls woken), release restores.
import { describe, expect, it } from "vitest";
import { testController } from "../test-helpers.js";

const POLICY = `
rules:
  - name: web-to-db
    from: { role: web }
    to: { role: db }
    services: [tcp/5432]
  - name: mon-to-web
    from: { role: mon }
    to: { role: web }
    services: [tcp/9100]
`;

async function estate() {
  const t = await testController();
  const put = (name: string, role: string, address: string, mode = "enforce") =>
    t.call("PUT", `/api/v1/workloads/${name}`, { labels: { role }, addresses: [address], mode });
  await put("web-1", "web", "198.18.1.10", "learn");
  await put("db-1", "db", "198.18.1.20");
  await put("mon-1", "mon", "198.18.1.30");
  expect((await t.call("PUT", "/api/v1/policy/draft", POLICY)).status).toBe(200);
  expect((await t.call("POST", "/api/v1/policy/provision", {})).status).toBe(201);
  return t;
}

describe("quarantine API", () => {
  it("quarantines: deny-all in enforce with forensic allowed, gone from peers, audited, listed", async () => {
    const t = await estate();
    const dbBefore = t.ctx.hub.ruleSet("db-1");
    expect(JSON.stringify(dbBefore?.sets)).toContain("198.18.1.10/32");
    const res = await t.call("POST", "/api/v1/workloads/web-1/quarantine", {
      reason: "decoy touched",
      forensic: ["198.18.9.9"],
    });
    expect(res.status).toBe(200);
    expect(res.body.quarantine).toMatchObject({
      reason: "decoy touched",
      forensic: ["198.18.9.9"],
      actor: expect.stringMatching(/admin/),
    });
    const rs = t.ctx.hub.ruleSet("web-1");
    expect(rs?.mode).toBe("enforce");
    expect(rs?.inbound.default).toBe("deny");
    expect(rs?.outbound.entries.map((e) => e.ruleId)).toEqual(["quarantine-forensic"]);
    expect(JSON.stringify(t.ctx.hub.ruleSet("db-1")?.sets)).not.toContain("198.18.1.10/32");

    const list = await t.call("GET", "/api/v1/workloads");
    const web = list.body.workloads.find((w: { name: string }) => w.name === "web-1");
    expect(web.quarantine.reason).toBe("decoy touched");
    expect(list.body.workloads.find((w: { name: string }) => w.name === "db-1").quarantine).toBe(
      undefined,
    );
    const audit = await t.call("GET", "/api/v1/audit");
    expect(JSON.stringify(audit.body.entries.map((e: { action: string }) => e.action))).toMatch(
      /quarantine/,
    );

    const released = await t.call("DELETE", "/api/v1/workloads/web-1/quarantine");
    expect(released.status).toBe(200);
    expect(released.body.released.reason).toBe("decoy touched");
    expect(t.ctx.hub.ruleSet("web-1")?.mode).toBe("learn");
    expect(t.ctx.hub.ruleSet("db-1")?.hash).toBe(dbBefore?.hash);
    const after = await t.call("GET", "/api/v1/workloads/web-1");
    expect(after.body.quarantine).toBeUndefined();
  });

  it("wakes exactly the quarantined workload and the peers whose sets held it", async () => {
    const t = await estate();
    const known = (n: string) => t.ctx.hub.hashOf(n);
    const waits = ["web-1", "db-1", "mon-1"].map((n) => t.ctx.hub.wait(n, known(n), 500));
    const q = t.call("POST", "/api/v1/workloads/db-1/quarantine", { reason: "test" });
    const outcomes = await Promise.all(waits);
    expect((await q).status).toBe(200);
    // db-1 itself and web-1 (whose outbound set held db-1) change; mon-1 does not.
    expect(outcomes).toEqual(["changed", "changed", "timeout"]);
  });

  it("answers 404 for an unknown workload and 400 naming a bad forensic address", async () => {
    const t = await estate();
    const missing = await t.call("POST", "/api/v1/workloads/nope/quarantine", { reason: "x" });
    expect(missing.status).toBe(404);
    const bad = await t.call("POST", "/api/v1/workloads/web-1/quarantine", {
      reason: "x",
      forensic: ["not-an-ip"],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/forensic address "not-an-ip"/);
    expect(bad.body.error.details.issues[0].path).toBe("forensic.0");
    expect((await t.call("DELETE", "/api/v1/workloads/nope/quarantine")).status).toBe(404);
  });

  it("a restarted controller loads quarantines from the store", async () => {
    const t = await estate();
    await t.call("POST", "/api/v1/workloads/db-1/quarantine", { reason: "x" });
    const again = await testController({ store: t.store });
    expect(again.ctx.hub.ruleSet("db-1")?.mode).toBe("enforce");
    expect(again.ctx.hub.ruleSet("db-1")?.inbound.entries).toEqual([]);
  });
});
