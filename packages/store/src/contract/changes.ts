import { describe, expect, it } from "vitest";
import type { MakeHarness } from "../testing.js";
import { profile } from "./enrolment.js";
import { sha, useHarness, workload } from "./setup.js";

const quarantine = (name: string) => ({
  workload: name,
  since: "2026-01-01T00:00:00.000Z",
  reason: "scan",
  forensic: [],
  actor: "detector",
});

export function changeContract(make: MakeHarness): void {
  describe("change stream", () => {
    const c = useHarness(make);
    const kinds = async (after = 0) =>
      (await c.store.changes.after(after, 100)).map((ch) => `${ch.kind} ${ch.key}`);

    it("records each change once, in order, with gapless seqs", async () => {
      const s = c.store;
      expect(await s.changes.head()).toBe(0);
      await s.workloads.upsert(workload("web-1"), "alice");
      await s.workloads.upsert(workload("web-1"), "alice"); // unchanged: no row
      await s.policy.saveDraft({ text: "rules: []", parsed: { rules: [] }, parsedVersion: 2 }, "a");
      await s.policy.provision({ comment: "first" }, "alice");
      await s.quarantine.set(quarantine("web-1"), "detector");
      await s.quarantine.release("web-1", "alice");
      await s.enrolment.create(profile(), "alice");
      await s.agents.enrol({
        keyHash: sha("a"),
        now: c.clock.now(),
        agentId: "ag1",
        credentialHash: sha("c"),
        hostname: "db-1.lab",
        interfaces: [{ name: "eth0", addresses: ["198.18.0.10"] }],
        workload: "db-1",
        addresses: ["198.18.0.10"],
      });
      await s.agents.report("ag1", { at: c.clock.now(), drift: "repaired" }); // no row
      await s.agents.revoke("ag1", "alice");
      await s.quarantine.set(quarantine("db-1"), "detector");
      await s.workloads.delete("db-1", "alice"); // ends its quarantine too
      expect(await kinds()).toEqual([
        "workload web-1",
        "revision 1",
        "quarantine web-1",
        "quarantine web-1",
        "workload db-1",
        "agent ag1",
        "quarantine db-1",
        "quarantine db-1",
        "workload db-1",
      ]);
      const all = await s.changes.after(0, 100);
      expect(all.map((ch) => ch.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(all[0]?.at).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(await s.changes.head()).toBe(9);
      expect(await s.changes.oldest()).toBe(1);
      expect(await kinds(7)).toEqual(["quarantine db-1", "workload db-1"]);
      expect(await s.changes.after(2, 1)).toHaveLength(1);
    });

    it("records a rollback's revision", async () => {
      const s = c.store;
      await s.policy.saveDraft({ text: "rules: []", parsed: { rules: [] }, parsedVersion: 2 }, "a");
      await s.policy.provision({ comment: "one" }, "alice");
      await s.policy.saveDraft(
        { text: "rules: [] # 2", parsed: { rules: [] }, parsedVersion: 2 },
        "a",
      );
      await s.policy.provision({ comment: "two" }, "alice");
      await s.policy.rollback({ to: 1, comment: "back" }, "alice");
      expect(await kinds()).toEqual(["revision 1", "revision 2", "revision 3"]);
    });

    it("leaves no change row when the unit fails", async () => {
      const s = c.store;
      c.h.failAt("audit:workload.create");
      await expect(s.workloads.upsert(workload("web-1"), "alice")).rejects.toThrow(/failpoint/);
      c.h.failAt(undefined);
      expect(await s.changes.head()).toBe(0);
      await s.workloads.upsert(workload("db-1"), "alice");
      c.h.failAt("audit:quarantine.set");
      await expect(s.quarantine.set(quarantine("db-1"), "d")).rejects.toThrow(/failpoint/);
      c.h.failAt(undefined);
      expect(await kinds()).toEqual(["workload db-1"]);
      expect((await s.changes.after(0, 10))[0]?.seq).toBe(1);
    });
  });
}
