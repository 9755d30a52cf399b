// The audit key's life: a chain begun without a key (a database from before keys, or a store
// opened without one) continues keyed from an `audit.keyed` entry; a store with another key, or
// none, may not extend a keyed chain.

import { describe, expect, it } from "vitest";
import { KEYED_ACTION, keyIdOf } from "../shared/audit-chain.js";
import type { MakeHarness } from "../testing.js";
import { TEST_AUDIT_KEY } from "../testing.js";
import { ATTACKER_KEY, rewrite } from "./audit-tamper.js";
import { useHarness } from "./setup.js";

const event = (i: number) => ({ actor: "alice", action: "test.event", target: "x", after: { i } });

export function auditKeyContract(make: MakeHarness): void {
  describe("audit key", () => {
    const c = useHarness(make);

    it("a chain begun without a key continues keyed from the audit.keyed entry", async () => {
      const legacy = c.h.withKey(undefined);
      for (let i = 1; i <= 3; i++) await legacy.audit.append(event(i));
      expect(await c.store.audit.epoch()).toBeUndefined();
      const keyId = keyIdOf(TEST_AUDIT_KEY);
      const head = await c.store.audit.head();
      expect(await c.store.audit.startKeyed("controller")).toEqual({
        ok: true,
        started: true,
        epoch: { seq: 4, keyId },
      });
      const marker = (await c.store.audit.list({ afterSeq: 3 }))[0];
      expect(marker).toMatchObject({
        action: KEYED_ACTION,
        actor: "controller",
        before: { alg: "sha256", seq: 3, hash: head?.hash },
        after: { alg: "hmac-sha256", keyId },
      });
      await c.store.audit.append(event(4));
      expect(await c.store.audit.verify()).toMatchObject({ ok: true, count: 5, keyedFrom: 4 });
      expect(await c.store.audit.startKeyed("controller")).toEqual({
        ok: true,
        started: false,
        epoch: { seq: 4, keyId },
      });
      expect(await c.store.audit.epoch()).toEqual({ seq: 4, keyId });
      // The entries from before the key are covered too: the keyed entry seals their last hash.
      await rewrite(
        c.h,
        (rows) => rows.map((e) => (e.seq === 2 ? { ...e, actor: "mallory" } : e)),
        undefined,
        2,
        3,
      );
      expect(await c.store.audit.verify()).toMatchObject({ ok: false, seq: 4 });
    });

    it("a store with the key finds a log that has no keyed entry at all", async () => {
      const legacy = c.h.withKey(undefined);
      for (let i = 1; i <= 3; i++) await legacy.audit.append(event(i));
      expect((await legacy.audit.verify()).ok).toBe(true);
      expect(await c.store.audit.verify()).toMatchObject({
        ok: false,
        seq: 1,
        problem: "unkeyed",
      });
    });

    it("refuses another key, or none, for a keyed chain", async () => {
      await c.store.audit.startKeyed("controller");
      await c.store.audit.append(event(1));
      const other = c.h.withKey(ATTACKER_KEY);
      expect(await other.audit.startKeyed("controller")).toEqual({
        ok: false,
        reason: "other-key",
        keyId: keyIdOf(TEST_AUDIT_KEY),
      });
      const none = c.h.withKey(undefined);
      expect(await none.audit.startKeyed("controller")).toMatchObject({
        ok: false,
        reason: "no-key",
      });
      await expect(none.audit.append(event(2))).rejects.toThrow(/audit key/);
      const verdict = await none.audit.verify();
      expect(verdict).toMatchObject({ ok: false, seq: 1, problem: "edited" });
      expect(verdict.ok || verdict.message).toMatch(/audit key/);
      expect((await c.store.audit.verify()).ok).toBe(true);
    });
  });
}
