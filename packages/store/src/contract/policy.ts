import { describe, expect, it } from "vitest";
import type { DraftInput } from "../port.js";
import type { MakeHarness } from "../testing.js";
import { useHarness } from "./setup.js";

const draft = (text: string, name?: string): DraftInput => ({
  text,
  parsed: { rules: [text] },
  parsedVersion: 1,
  ...(name !== undefined && { name }),
});

export function policyContract(make: MakeHarness): void {
  describe("policy", () => {
    const c = useHarness(make);

    it("saves drafts by name and refuses to provision without one", async () => {
      expect(await c.store.policy.provision({ comment: "x" }, "alice")).toEqual({
        ok: false,
        reason: "no-draft",
      });
      await c.store.policy.saveDraft(draft("a: 1"), "alice");
      await c.store.policy.saveDraft(draft("b: 1", "experiment"), "bob");
      expect(await c.store.policy.getDraft()).toMatchObject({
        name: "default",
        text: "a: 1",
        updatedBy: "alice",
        baseRevision: null,
      });
      expect((await c.store.policy.listDrafts()).map((d) => d.name)).toEqual([
        "default",
        "experiment",
      ]);
      expect(await c.store.policy.deleteDraft("experiment", "bob")).toBe(true);
      expect(await c.store.policy.deleteDraft("experiment", "bob")).toBe(false);
      expect(await c.store.policy.getDraft("experiment")).toBeUndefined();
    });

    it("provisions numbered revisions and moves the active pointer", async () => {
      await c.store.policy.saveDraft(draft("a: 1"), "alice");
      const r1 = await c.store.policy.provision(
        { comment: "first", expectedActive: null },
        "alice",
      );
      expect(r1.ok && r1.revision).toMatchObject({
        number: 1,
        text: "a: 1",
        author: "alice",
        comment: "first",
        rolledBackFrom: null,
        parsed: { rules: ["a: 1"] },
      });
      expect(r1.ok && r1.revision.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(await c.store.policy.provision({ comment: "again" }, "alice")).toEqual({
        ok: false,
        reason: "unchanged",
      });
      await c.store.policy.saveDraft(draft("a: 2"), "alice");
      expect((await c.store.policy.getDraft())?.baseRevision).toBe(1);
      c.clock.advance(5000);
      const r2 = await c.store.policy.provision({ comment: "second", expectedActive: 1 }, "bob");
      expect(r2.ok && r2.revision.number).toBe(2);
      expect((await c.store.policy.active())?.number).toBe(2);
      expect((await c.store.policy.revision(1))?.text).toBe("a: 1");
      expect((await c.store.policy.history()).map((r) => r.number)).toEqual([2, 1]);
    });

    it("refuses a stale provision or rollback", async () => {
      await c.store.policy.saveDraft(draft("a: 1"), "alice");
      await c.store.policy.provision({ comment: "1" }, "alice");
      await c.store.policy.saveDraft(draft("a: 2"), "alice");
      expect(
        await c.store.policy.provision({ comment: "2", expectedActive: null }, "alice"),
      ).toEqual({ ok: false, reason: "stale" });
      expect(
        await c.store.policy.rollback({ to: 1, comment: "r", expectedActive: 7 }, "alice"),
      ).toEqual({ ok: false, reason: "stale" });
      expect((await c.store.policy.history()).length).toBe(1);
    });

    it("rolls back by copying an old revision into a new one", async () => {
      for (const text of ["a: 1", "a: 2"]) {
        await c.store.policy.saveDraft(draft(text), "alice");
        await c.store.policy.provision({ comment: text }, "alice");
      }
      expect(await c.store.policy.rollback({ to: 9, comment: "x" }, "bob")).toEqual({
        ok: false,
        reason: "no-revision",
      });
      expect(await c.store.policy.rollback({ to: 2, comment: "x" }, "bob")).toEqual({
        ok: false,
        reason: "unchanged",
      });
      const r3 = await c.store.policy.rollback({ to: 1, comment: "back" }, "bob");
      const r1 = await c.store.policy.revision(1);
      expect(r3.ok && r3.revision).toMatchObject({
        number: 3,
        text: "a: 1",
        hash: r1?.hash,
        rolledBackFrom: 1,
        author: "bob",
        comment: "back",
      });
      expect((await c.store.policy.active())?.number).toBe(3);
      const audit = (await c.store.audit.list()).at(-1);
      expect(audit).toMatchObject({
        action: "policy.rollback",
        target: "revision/3",
        before: { number: 2 },
      });
    });

    it("pages history newest first", async () => {
      for (let i = 1; i <= 5; i++) {
        await c.store.policy.saveDraft(draft(`a: ${i}`), "alice");
        await c.store.policy.provision({ comment: `${i}` }, "alice");
      }
      expect((await c.store.policy.history({ limit: 2 })).map((r) => r.number)).toEqual([5, 4]);
      expect((await c.store.policy.history({ limit: 2, before: 4 })).map((r) => r.number)).toEqual([
        3, 2,
      ]);
      expect((await c.store.policy.history({ before: 2 })).map((r) => r.number)).toEqual([1]);
    });

    for (const step of ["policy.provision:inserted", "audit:policy.provision"]) {
      it(`leaves no half-made revision when provision fails at ${step}`, async () => {
        await c.store.policy.saveDraft(draft("a: 1"), "alice");
        await c.store.policy.provision({ comment: "1" }, "alice");
        await c.store.policy.saveDraft(draft("a: 2"), "alice");
        const auditBefore = await c.store.audit.list();
        c.h.failAt(step);
        await expect(c.store.policy.provision({ comment: "2" }, "alice")).rejects.toThrow(
          /failpoint/,
        );
        c.h.failAt(undefined);
        expect((await c.store.policy.active())?.number).toBe(1);
        expect((await c.store.policy.history()).map((r) => r.number)).toEqual([1]);
        expect(await c.store.audit.list()).toEqual(auditBefore);
        const retry = await c.store.policy.provision({ comment: "2" }, "alice");
        expect(retry.ok && retry.revision.number).toBe(2);
        expect((await c.store.audit.verify()).ok).toBe(true);
      });
    }
  });
}
