// Maintenance tokens: issued once to an admin, only the hash stored and handed to the agent with
// its status answers; lifecycle events (stopped, unpaired, tamper on a stop) land in the audit log.
import { describe, expect, it } from "vitest";
import { hashSecret } from "./secrets.js";
import { testController } from "./test-helpers.js";

type T = Awaited<ReturnType<typeof testController>>;

const status = (t: T, credential: string, body: unknown = {}) =>
  t.call("POST", "/api/v1/agent/status", body, credential);

async function auditOf(t: T, action: string) {
  const page = await t.call("GET", "/api/v1/audit?limit=1000");
  // biome-ignore lint/suspicious/noExplicitAny: test reads entries
  return (page.body.entries as any[]).filter((e) => e.action === action);
}

describe("maintenance tokens", () => {
  it("issues a token once, stores only its hash, and the agent's status answer carries the hash", async () => {
    const t = await testController();
    const a = await t.enrol("web-1", "198.18.1.10");
    expect((await status(t, a.credential)).body.maintenanceHash).toBeUndefined();
    const issued = await t.call("POST", `/api/v1/agents/${a.id}/maintenance-token`);
    expect(issued.status).toBe(201);
    expect(issued.body).toMatchObject({ agentId: a.id, workload: "web-1" });
    const token = issued.body.token as string;
    expect(token).toMatch(/^msm_[A-Za-z0-9_-]{43}$/);
    const answer = await status(t, a.credential);
    expect(answer.body.maintenanceHash).toBe(hashSecret(token));
    const stored = await t.store.agents.get(a.id);
    expect(stored?.maintenanceHash).toBe(hashSecret(token));
    const entries = await auditOf(t, "agent.maintenance-token");
    expect(entries).toHaveLength(1);
    expect(JSON.stringify(await t.call("GET", "/api/v1/audit?limit=1000"))).not.toContain(token);
    expect(JSON.stringify(entries)).not.toContain(hashSecret(token));
    // A second token replaces the first.
    const again = await t.call("POST", `/api/v1/agents/${a.id}/maintenance-token`);
    expect((await status(t, a.credential)).body.maintenanceHash).toBe(hashSecret(again.body.token));
  });

  it("answers 404 for an unknown agent and 409 for a revoked one", async () => {
    const t = await testController();
    const a = await t.enrol("web-1", "198.18.1.10");
    const unknown = await t.call("POST", "/api/v1/agents/agt-nope/maintenance-token");
    expect([unknown.status, unknown.body.error.code]).toEqual([404, "MSEG_API_NOT_FOUND"]);
    await t.call("POST", `/api/v1/agents/${a.id}/revoke`);
    const revoked = await t.call("POST", `/api/v1/agents/${a.id}/maintenance-token`);
    expect([revoked.status, revoked.body.error.code]).toEqual([409, "MSEG_API_CONFLICT"]);
  });

  it("needs the admin token", async () => {
    const t = await testController();
    const a = await t.enrol("web-1", "198.18.1.10");
    const res = await t.call("POST", `/api/v1/agents/${a.id}/maintenance-token`, undefined, false);
    expect(res.status).toBe(401);
    const asAgent = await t.call(
      "POST",
      `/api/v1/agents/${a.id}/maintenance-token`,
      undefined,
      a.credential,
    );
    expect(asAgent.status).toBe(401);
  });
});

describe("lifecycle events", () => {
  const at = "2026-06-01T00:00:00.000Z";

  it("audits a stop without a token as tamper and a sanctioned stop as stopped", async () => {
    const t = await testController();
    const a = await t.enrol("web-1", "198.18.1.10");
    const events = [
      { kind: "tamper", at, details: "stopped without maintenance token" },
      { kind: "stopped", at, details: "stopped (maintenance)" },
    ];
    expect((await status(t, a.credential, { events })).status).toBe(200);
    const tamper = await auditOf(t, "agent.tamper");
    expect(tamper.map((e) => [e.actor, e.target, e.after.details])).toEqual([
      [`agent/${a.id}`, "workload/web-1", "stopped without maintenance token"],
    ]);
    expect((await auditOf(t, "agent.stopped")).map((e) => e.after.details)).toEqual([
      "stopped (maintenance)",
    ]);
  });

  it("revokes an agent that reports it was unpaired; its credential stops working", async () => {
    const t = await testController();
    const a = await t.enrol("web-1", "198.18.1.10");
    const events = [{ kind: "unpaired", at, details: "unpaired with the maintenance token" }];
    expect((await status(t, a.credential, { events })).status).toBe(200);
    expect(await auditOf(t, "agent.unpaired")).toHaveLength(1);
    expect((await auditOf(t, "agent.revoke"))[0]?.actor).toBe(`agent/${a.id}`);
    expect((await t.call("GET", `/api/v1/agents/${a.id}`)).body.revoked).toBe(true);
    expect((await status(t, a.credential)).status).toBe(401);
  });
});
