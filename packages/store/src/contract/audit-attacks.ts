// Someone with the database but not the audit key tries to rewrite history. Every attack is run
// twice: hashes recomputed with plain SHA-256 (what the unkeyed chain used) and with an HMAC key
// the attacker made up. Each must make verify() fail; truncation needs an anchor exported before.

import { describe, expect, it } from "vitest";
import type { AuditVerdict } from "../port.js";
import type { MakeHarness } from "../testing.js";
import { TEST_AUDIT_KEY } from "../testing.js";
import { ATTACKER_KEY, type ForgeryKey, forged, rewrite } from "./audit-tamper.js";
import { type Ctx, useHarness } from "./setup.js";

async function setup(c: Ctx): Promise<void> {
  const started = await c.store.audit.startKeyed("controller");
  expect(started).toMatchObject({ ok: true, started: true, epoch: { seq: 1 } });
  for (let i = 1; i <= 5; i++) {
    c.clock.advance(1000);
    await c.store.audit.append({ actor: "alice", action: "test.event", target: "x", after: { i } });
  }
}

const broken = (v: AuditVerdict) => (v.ok ? "intact" : `${v.problem} at ${v.seq}`);

export function auditAttackContract(make: MakeHarness): void {
  const forgeries: [string, ForgeryKey][] = [
    ["plain SHA-256", undefined],
    ["a key of the attacker's", ATTACKER_KEY],
  ];
  for (const [how, key] of forgeries) {
    describe(`audit log attacked without the key (hashes recomputed with ${how})`, () => {
      const c = useHarness(make);

      it("an appended entry is found", async () => {
        await setup(c);
        await rewrite(c.h, (rows) => [...rows, forged()], key, 7);
        expect(broken(await c.store.audit.verify())).toBe("edited at 7");
      });

      it("an inserted entry is found", async () => {
        await setup(c);
        await rewrite(c.h, (rows) => [...rows.slice(0, 3), forged(), ...rows.slice(3)], key, 4);
        expect(broken(await c.store.audit.verify())).toBe("edited at 4");
      });

      it("an edited and re-hashed entry is found", async () => {
        await setup(c);
        await rewrite(
          c.h,
          (rows) => rows.map((e) => (e.seq === 3 ? { ...e, actor: "mallory" } : e)),
          key,
          3,
        );
        expect(broken(await c.store.audit.verify())).toBe("edited at 3");
      });

      it("a deleted entry, the rest renumbered and re-hashed, is found", async () => {
        await setup(c);
        await rewrite(c.h, (rows) => rows.filter((e) => e.seq !== 3), key, 3);
        expect(broken(await c.store.audit.verify())).toBe("edited at 3");
      });

      it("a chain re-hashed from the first entry is found", async () => {
        await setup(c);
        await rewrite(c.h, (rows) => rows, key, 1);
        expect(broken(await c.store.audit.verify())).toBe(
          key === undefined ? "unkeyed at 1" : "edited at 1",
        );
      });

      it("a truncated chain is found against an anchor exported before", async () => {
        await setup(c);
        const anchor = await c.store.audit.head();
        if (anchor === undefined) throw new Error("no head");
        await rewrite(c.h, (rows) => rows.slice(0, 4), key, 99);
        expect((await c.store.audit.verify()).ok).toBe(true);
        expect(broken(await c.store.audit.verify([anchor]))).toBe("truncated at 5");
        // Truncated, then refilled up to the anchor's seq with forged entries.
        await rewrite(c.h, (rows) => [...rows, forged(), forged()], key, 5);
        expect(broken(await c.store.audit.verify([anchor]))).toBe("edited at 5");
      });
    });
  }

  describe("audit anchors against someone who holds the key", () => {
    const c = useHarness(make);

    it("a rewrite before an anchor is found, at the earliest anchor it breaks", async () => {
      await setup(c);
      const rows = await c.h.tamper.rows();
      const anchors = [3, 4, 6].map((s) => {
        const e = rows[s - 1];
        return { seq: s, hash: e?.hash ?? "" };
      });
      expect(await c.store.audit.verify(anchors)).toMatchObject({ ok: true, count: 6 });
      await rewrite(
        c.h,
        (r) => r.map((e) => (e.seq === 4 ? { ...e, actor: "insider" } : e)),
        TEST_AUDIT_KEY,
        4,
      );
      expect((await c.store.audit.verify()).ok).toBe(true);
      expect(await c.store.audit.verify(anchors)).toMatchObject({
        ok: false,
        seq: 4,
        problem: "edited",
      });
    });

    it("an anchor from another log (or a made-up one) does not match", async () => {
      await setup(c);
      const v = await c.store.audit.verify([{ seq: 2, hash: "f".repeat(64) }]);
      expect(v).toMatchObject({ ok: false, seq: 2, problem: "edited" });
      expect(v.ok || v.message).toMatch(/anchor/);
    });
  });
}
