// The agent in process: fake controller (real HTTP on 127.0.0.1) and the fake nft twin.
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { createFakeNft, type FakeNft } from "@microseg/nft/testing";
import { describe, expect, it } from "vitest";
import { type AgentConfig, startAgent } from "./agent.js";
import { FAST, testDeps, useAgentBed } from "./testing/agent-bed.js";
import { type MemoryLog, memoryLog, serverRuleSet, startFakeController } from "./testing/index.js";

const mgmt = { v4: ["127.0.0.1/32"], v6: [] };
const rs1 = serverRuleSet({ v4: ["198.18.0.2/32"], v6: [] }, [80]);
const rs2 = serverRuleSet({ v4: ["198.18.0.3/32"], v6: [] }, [80]);

const bed = useAgentBed("mseg-agent-");

async function controller(port = 0) {
  const c = await startFakeController({ port });
  bed.controllers.push(c);
  return c;
}

async function agent(url: string, fake: FakeNft, extra: Partial<AgentConfig> = {}) {
  const logs: MemoryLog = memoryLog();
  const deps = await testDeps({ dir: bed.dir, url, exec: fake.exec, log: logs.log });
  const a = await startAgent({ ...FAST, controller: url, ...extra }, deps);
  bed.running.push(a);
  return { a, logs };
}

const appliedHash = (fake: FakeNft) => JSON.stringify(fake.documents.at(-1));

describe("agent with a fake controller", () => {
  it("enrols, applies the pushed policy, acknowledges it, and stores it (0600)", async () => {
    const c = await controller();
    const fake = createFakeNft();
    const { a } = await agent(c.url, fake);
    expect(a.dataplane.enforced?.source).toBe("before-policy");
    c.setPolicy({ revision: 1, ruleSet: rs1, management: mgmt });
    await c.waitForStatus((s) => s.applied?.revision === 1 && s.applied.ok);
    expect(c.enrols).toEqual([
      {
        key: "key-1",
        hostname: "host-1",
        interfaces: [{ name: "eth0", addresses: ["198.18.0.1"] }],
      },
    ]);
    c.setPolicy({ revision: 2, ruleSet: rs2, management: mgmt });
    await c.waitForStatus((s) => s.applied?.revision === 2 && s.applied.rulesetHash === rs2.hash);
    expect(appliedHash(fake)).toContain("198.18.0.3");
    const mode = (await stat(join(bed.dir, "last-good.json"))).mode & 0o777;
    expect(mode).toBe(0o600);
    expect((await stat(join(bed.dir, "identity.json"))).mode & 0o777).toBe(0o600);
    expect(c.rejected).toEqual([]);
  });

  it("keeps enforcing while the controller is away, and re-applies stored policy first on restart", async () => {
    const c = await controller();
    const fake = createFakeNft();
    const first = await agent(c.url, fake);
    c.setPolicy({ revision: 1, ruleSet: rs1, management: mgmt });
    await c.waitForStatus((s) => s.applied?.revision === 1);
    const port = c.port;
    await c.close();
    bed.controllers.splice(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(first.a.dataplane.enforced?.revision).toBe(1);
    const documents = fake.documents.length;
    await first.a.stop();

    // Restart with the controller down: the stored policy is enforced before any contact.
    const fake2 = createFakeNft();
    const second = await agent(`http://127.0.0.1:${port}`, fake2, { enrolKey: undefined });
    expect(second.a.dataplane.enforced).toMatchObject({ revision: 1, source: "stored" });
    expect(JSON.stringify(fake2.documents[0])).toContain("198.18.0.2");
    expect(fake.documents.length).toBe(documents);

    // The controller comes back on the same port: the stored credential is reused.
    const back = await controller(port);
    back.setPolicy({ revision: 2, ruleSet: rs2, management: mgmt });
    await back.waitForStatus((s) => s.applied?.revision === 2 && s.applied.ok, 15_000);
    expect(back.enrols).toEqual([]);
  });

  it("reports the table in sync after its first clean check", async () => {
    const c = await controller();
    const fake = createFakeNft();
    await agent(c.url, fake);
    c.setPolicy({ revision: 1, ruleSet: rs1, management: mgmt });
    const report = await c.waitForStatus(
      (s) => s.applied?.revision === 1 && s.drift?.drifted === false,
    );
    expect(report.drift).toEqual({ drifted: false, details: "" });
    expect(report.events ?? []).toEqual([]);
  });

  it("detects a flushed table, restores it and reports tamper + restored", async () => {
    const c = await controller();
    const fake = createFakeNft();
    const { a } = await agent(c.url, fake);
    c.setPolicy({ revision: 1, ruleSet: rs1, management: mgmt });
    await c.waitForStatus((s) => s.applied?.revision === 1);
    const table = { family: "inet", name: "microseg" };
    await fake.exec(["-j", "-f", "-"], JSON.stringify({ nftables: [{ flush: { table } }] }));
    const report = await c.waitForStatus((s) =>
      (s.events ?? []).some((e) => e.kind === "restored"),
    );
    expect(report.events?.map((e) => e.kind)).toEqual(["tamper", "restored"]);
    expect(report.drift).toMatchObject({ drifted: false });
    expect((await a.dataplane.checkDrift({ elements: true }))?.drifted).toBe(false);
  });

  it("keeps enforcing and says so when the controller refuses a revoked agent", async () => {
    const c = await controller();
    const fake = createFakeNft();
    const { a, logs } = await agent(c.url, fake);
    c.setPolicy({ revision: 1, ruleSet: rs1, management: mgmt });
    await c.waitForStatus((s) => s.applied?.revision === 1);
    c.revokeAll();
    const refused = () => logs.records.some((r) => String(r.msg).includes("refuses this agent"));
    const end = Date.now() + 5000;
    while (!refused() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(refused()).toBe(true);
    c.setPolicy({ revision: 2, ruleSet: rs2, management: mgmt });
    await new Promise((r) => setTimeout(r, 300));
    expect(a.dataplane.enforced?.revision).toBe(1);
    expect((await a.dataplane.checkDrift({ elements: true }))?.drifted).toBe(false);
  });

  it("refuses to go on when the enrolment key is rejected (the table stays)", async () => {
    const c = await controller();
    const { a } = await agent(c.url, createFakeNft(), { enrolKey: "wrong" });
    await expect(a.done).rejects.toMatchObject({ code: "MSEG_ENROL_REFUSED" });
    expect(a.dataplane.enforced?.source).toBe("before-policy");
  });

  it("tells the user to pass --enrol-key when not enrolled", async () => {
    const c = await controller();
    const { a } = await agent(c.url, createFakeNft(), { enrolKey: undefined });
    await expect(a.done).rejects.toThrow(/--enrol-key/);
  });

  it("applies the before-first-policy default when the controller has nothing (ruleSet null)", async () => {
    const c = await controller();
    const fake = createFakeNft();
    const { a } = await agent(c.url, fake, { beforePolicy: "allow" });
    c.setPolicy({ revision: 1, ruleSet: rs1, management: mgmt });
    await c.waitForStatus((s) => s.applied?.revision === 1);
    c.setPolicy({ revision: null, ruleSet: null, management: mgmt });
    await c.waitForStatus((s) => s.applied?.rulesetHash === "none" && s.applied.ok);
    expect(a.dataplane.enforced?.ruleSet.hash).toBe("before-first-policy-allow");
  });
});
