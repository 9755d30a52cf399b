import { describe, expect, it } from "vitest";
import type { Store } from "../port.js";
import type { MakeHarness } from "../testing.js";
import { profile } from "./enrolment.js";
import { type Ctx, sha, useHarness, workload } from "./setup.js";

async function populate(s: Store, c: Ctx): Promise<void> {
  await s.workloads.upsert(workload("web-1", { namespace: "x" }), "alice");
  await s.policy.saveDraft({ text: "rules: []", parsed: { rules: [] }, parsedVersion: 2 }, "alice");
  await s.policy.provision({ comment: "first" }, "alice");
  await s.enrolment.create(profile({ maxUses: 5, expiresAt: "2027-01-01T00:00:00.000Z" }), "alice");
  await s.agents.enrol({
    keyHash: sha("a"),
    now: c.clock.now(),
    agentId: "ag1",
    credentialHash: sha("c"),
    hostname: "h",
    interfaces: [{ name: "eth0", addresses: ["198.18.0.2"] }],
    workload: "db-1",
    addresses: ["198.18.0.2"],
  });
  await s.agents.report("ag1", {
    at: c.clock.now(),
    applied: { revision: 1, rulesetHash: "h1" },
    drift: "repaired",
  });
  await s.tokens.create({ hash: sha("t"), name: "admin", role: "admin" }, "setup");
}

async function snapshot(s: Store) {
  return {
    workloads: await s.workloads.list(),
    drafts: await s.policy.listDrafts(),
    revisions: await s.policy.history(),
    active: await s.policy.active(),
    profiles: await s.enrolment.list(),
    agents: await s.agents.list(),
    tokens: await s.tokens.list(),
    audit: await s.audit.list(),
  };
}

export function lifecycleContract(make: MakeHarness, durable: boolean): void {
  describe("lifecycle", () => {
    const c = useHarness(make);

    it("reports adapter and schema version, and rejects calls after close", async () => {
      const info = await c.store.info();
      expect(info.schemaVersion).toBeGreaterThan(0);
      await c.store.close();
      await c.store.close();
      await expect(c.store.workloads.list()).rejects.toThrow(/closed/);
    });

    // Registered only for durable adapters: there is nothing to reopen in a memory store.
    if (!durable) return;
    it("keeps everything across close and reopen, and the chain continues", async () => {
      const reopen = c.h.reopen;
      if (reopen === undefined) throw new Error("a durable adapter's harness must offer reopen()");
      await populate(c.store, c);
      const before = await snapshot(c.store);
      const again = await reopen();
      expect(await snapshot(again)).toEqual(before);
      await again.audit.append({ actor: "bob", action: "test.after-reopen", target: "x" });
      const verdict = await again.audit.verify();
      expect(verdict.ok && verdict.count).toBe(before.audit.length + 1);
    });
  });
}
