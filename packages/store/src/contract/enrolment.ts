import { describe, expect, it } from "vitest";
import type { ProfileInput } from "../port.js";
import type { MakeHarness } from "../testing.js";
import { sha, useHarness } from "./setup.js";

export const profile = (over: Partial<ProfileInput> = {}): ProfileInput => ({
  id: "p1",
  name: "web-prod",
  keyHash: sha("a"),
  labels: { app: "shop", env: "prod" },
  mode: "test",
  ...over,
});

export function enrolmentContract(make: MakeHarness): void {
  describe("enrolment profiles", () => {
    const c = useHarness(make);
    const now = () => c.clock.now();

    it("creates profiles and refuses a taken id, name or key", async () => {
      const res = await c.store.enrolment.create(profile({ maxUses: 3 }), "alice");
      expect(res.ok && res.profile).toMatchObject({
        uses: 0,
        revoked: false,
        maxUses: 3,
        expiresAt: null,
      });
      for (const over of [
        { name: "x", keyHash: sha("b") },
        { id: "p2", keyHash: sha("b") },
        { id: "p2", name: "x" },
      ]) {
        expect(await c.store.enrolment.create(profile(over), "alice")).toEqual({
          ok: false,
          reason: "conflict",
        });
      }
      expect((await c.store.enrolment.list()).map((p) => p.id)).toEqual(["p1"]);
      const audit = await c.store.audit.list();
      expect(audit).toHaveLength(1);
      expect(JSON.stringify(audit)).not.toContain(sha("a"));
    });

    it("counts uses and refuses an exhausted key", async () => {
      await c.store.enrolment.create(profile({ maxUses: 2 }), "alice");
      expect((await c.store.enrolment.consumeKey(sha("a"), now())).ok).toBe(true);
      const second = await c.store.enrolment.consumeKey(sha("a"), now());
      expect(second.ok && second.profile.uses).toBe(2);
      expect(await c.store.enrolment.consumeKey(sha("a"), now())).toEqual({
        ok: false,
        reason: "exhausted",
      });
      expect((await c.store.enrolment.get("p1"))?.uses).toBe(2);
    });

    it("refuses unknown, expired (at the instant) and revoked keys without counting", async () => {
      await c.store.enrolment.create(profile({ expiresAt: "2026-01-01T01:00:00.000Z" }), "alice");
      expect(await c.store.enrolment.consumeKey(sha("z"), now())).toEqual({
        ok: false,
        reason: "unknown",
      });
      c.clock.set("2026-01-01T00:59:59.999Z");
      expect((await c.store.enrolment.consumeKey(sha("a"), now())).ok).toBe(true);
      c.clock.set("2026-01-01T01:00:00.000Z");
      expect(await c.store.enrolment.consumeKey(sha("a"), now())).toEqual({
        ok: false,
        reason: "expired",
      });
      c.clock.set("2026-01-01T00:00:00.000Z");
      expect((await c.store.enrolment.revoke("p1", "bob"))?.revoked).toBe(true);
      expect(await c.store.enrolment.consumeKey(sha("a"), now())).toEqual({
        ok: false,
        reason: "revoked",
      });
      expect((await c.store.enrolment.get("p1"))?.uses).toBe(1);
      expect(await c.store.enrolment.revoke("nope", "bob")).toBeUndefined();
    });

    it("never hands out more uses than allowed under concurrent consumption", async () => {
      await c.store.enrolment.create(profile({ maxUses: 3 }), "alice");
      const results = await Promise.all(
        Array.from({ length: 8 }, () => c.store.enrolment.consumeKey(sha("a"), now())),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(3);
      expect((await c.store.enrolment.get("p1"))?.uses).toBe(3);
    });
  });
}
