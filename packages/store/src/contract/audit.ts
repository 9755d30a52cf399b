import { describe, expect, it } from "vitest";
import { GENESIS } from "../shared/audit-chain.js";
import type { MakeHarness } from "../testing.js";
import { type Ctx, useHarness } from "./setup.js";

async function fill(c: Ctx, n: number): Promise<void> {
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
      expect(await c.store.audit.verify()).toEqual({ ok: true, count: 0, head: null });
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
      expect(await c.store.audit.verify()).toEqual({
        ok: true,
        count: 3,
        head: { seq: 3, hash: d?.hash },
      });
    });

    it("lists after a seq, with a limit, by target", async () => {
      await fill(c, 5);
      expect((await c.store.audit.list({ afterSeq: 2, limit: 2 })).map((e) => e.seq)).toEqual([
        3, 4,
      ]);
      expect((await c.store.audit.list({ target: "thing/0" })).map((e) => e.seq)).toEqual([2, 4]);
    });

    it("finds a deleted entry", async () => {
      await fill(c, 5);
      await c.h.tamper.deleteEntry(3);
      expect(await c.store.audit.verify()).toMatchObject({ ok: false, seq: 3, problem: "missing" });
    });

    it("finds an edited entry", async () => {
      await fill(c, 5);
      await c.h.tamper.editEntry(2, { actor: "mallory" });
      expect(await c.store.audit.verify()).toMatchObject({ ok: false, seq: 2, problem: "edited" });
    });

    it("finds an edited payload", async () => {
      await fill(c, 5);
      await c.h.tamper.editEntry(4, { after: { i: 400 } });
      expect(await c.store.audit.verify()).toMatchObject({ ok: false, seq: 4, problem: "edited" });
    });

    it("finds reordered entries", async () => {
      await fill(c, 5);
      await c.h.tamper.swapEntries(2, 3);
      expect(await c.store.audit.verify()).toMatchObject({
        ok: false,
        seq: 2,
        problem: "reordered",
      });
    });

    it("finds a truncated tail given a head recorded earlier", async () => {
      await fill(c, 4);
      const verdict = await c.store.audit.verify();
      const head = verdict.ok ? verdict.head : null;
      expect(head?.seq).toBe(4);
      if (head === null) return;
      await c.h.tamper.deleteEntry(4);
      expect((await c.store.audit.verify()).ok).toBe(true);
      expect(await c.store.audit.verify(head)).toMatchObject({
        ok: false,
        seq: 4,
        problem: "truncated",
      });
    });
  });
}
