import { describe, expect, it } from "vitest";
import { AUDIT_PAGE, GENESIS } from "../shared/audit-chain.js";
import type { MakeHarness } from "../testing.js";
import { auditAttackContract } from "./audit-attacks.js";
import { auditKeyContract } from "./audit-keys.js";
import { deleteEntry, editEntry, swapEntries } from "./audit-tamper.js";
import { type Ctx, useHarness, workload } from "./setup.js";

export async function fill(c: Ctx, n: number): Promise<void> {
  for (let i = 1; i <= n; i++) {
    c.clock.advance(1000);
    await c.store.audit.append({
      actor: "alice",
      action: "test.event",
      target: `thing/${i % 2}`,
      after: { i },
    });
  }
}

export function auditContract(make: MakeHarness): void {
  describe("audit log", () => {
    const c = useHarness(make);

    it("chains entries from the genesis hash", async () => {
      expect(await c.store.audit.verify()).toEqual({
        ok: true,
        count: 0,
        head: null,
        keyedFrom: null,
      });
      await fill(c, 3);
      const [a, b, d] = await c.store.audit.list();
      expect(a).toMatchObject({
        seq: 1,
        prevHash: GENESIS,
        actor: "alice",
        before: null,
        after: { i: 1 },
        at: "2026-01-01T00:00:01.000Z",
      });
      expect(b?.prevHash).toBe(a?.hash);
      expect(d?.prevHash).toBe(b?.hash);
      expect(await c.store.audit.head()).toEqual({ seq: 3, hash: d?.hash });
      expect(await c.store.audit.verify()).toEqual({
        ok: true,
        count: 3,
        head: { seq: 3, hash: d?.hash },
        keyedFrom: 1,
      });
    });

    it("keeps one chain when audited writes are made at once (each a unit of its own)", async () => {
      await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          i % 2 === 0
            ? c.store.audit.append({ actor: "alice", action: "test.at-once", target: `t/${i}` })
            : c.store.workloads.upsert(workload(`web-${i}`), "alice"),
        ),
      );
      expect(await c.store.audit.verify()).toMatchObject({ ok: true, count: 12 });
      expect((await c.store.audit.list()).map((e) => e.seq)).toEqual(
        Array.from({ length: 12 }, (_, i) => i + 1),
      );
    });

    it("lists after a seq, with a limit, by target", async () => {
      await fill(c, 5);
      expect((await c.store.audit.list({ afterSeq: 2, limit: 2 })).map((e) => e.seq)).toEqual([
        3, 4,
      ]);
      expect((await c.store.audit.list({ target: "thing/0" })).map((e) => e.seq)).toEqual([2, 4]);
      expect(
        (await c.store.audit.list({ target: "thing/1", afterSeq: 1, limit: 1 })).map((e) => e.seq),
      ).toEqual([3]);
    });

    it("finds a deleted entry", async () => {
      await fill(c, 5);
      await deleteEntry(c.h, 3);
      expect(await c.store.audit.verify()).toMatchObject({ ok: false, seq: 3, problem: "missing" });
    });

    it("finds an edited entry", async () => {
      await fill(c, 5);
      await editEntry(c.h, 2, { actor: "mallory" });
      expect(await c.store.audit.verify()).toMatchObject({ ok: false, seq: 2, problem: "edited" });
    });

    it("finds an edited payload", async () => {
      await fill(c, 5);
      await editEntry(c.h, 4, { after: { i: 400 } });
      expect(await c.store.audit.verify()).toMatchObject({ ok: false, seq: 4, problem: "edited" });
    });

    it("finds reordered entries", async () => {
      await fill(c, 5);
      await swapEntries(c.h, 2, 3);
      expect(await c.store.audit.verify()).toMatchObject({
        ok: false,
        seq: 2,
        problem: "reordered",
      });
    });

    it("finds a truncated tail given an anchor recorded earlier", async () => {
      await fill(c, 4);
      const head = await c.store.audit.head();
      expect(head?.seq).toBe(4);
      if (head === undefined) return;
      await deleteEntry(c.h, 4);
      expect((await c.store.audit.verify()).ok).toBe(true);
      expect(await c.store.audit.verify([head])).toMatchObject({
        ok: false,
        seq: 4,
        problem: "truncated",
      });
    });

    it("walks a chain longer than one page, and finds a break on a later page", async () => {
      const n = AUDIT_PAGE * 2 + 5;
      await fill(c, n);
      const verdict = await c.store.audit.verify();
      expect(verdict.ok && verdict.count).toBe(n);
      await editEntry(c.h, AUDIT_PAGE + 7, { actor: "mallory" });
      expect(await c.store.audit.verify()).toMatchObject({
        ok: false,
        seq: AUDIT_PAGE + 7,
        problem: "edited",
      });
    });
  });

  auditAttackContract(make);
  auditKeyContract(make);
}
