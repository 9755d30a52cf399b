import { describe, expect, it } from "vitest";
import type { MakeHarness } from "../testing.js";
import { sha, useHarness } from "./setup.js";

export function tokenContract(make: MakeHarness): void {
  describe("API tokens", () => {
    const c = useHarness(make);

    it("creates, finds by hash, lists by name and deletes by name", async () => {
      const res = await c.store.tokens.create(
        { hash: sha("1"), name: "admin", role: "admin" },
        "setup",
      );
      expect(res).toEqual({
        ok: true,
        token: {
          hash: sha("1"),
          name: "admin",
          role: "admin",
          createdAt: "2026-01-01T00:00:00.000Z",
        },
      });
      await c.store.tokens.create({ hash: sha("2"), name: "ci", role: "viewer" }, "admin");
      expect((await c.store.tokens.find(sha("2")))?.name).toBe("ci");
      expect(await c.store.tokens.find(sha("3"))).toBeUndefined();
      expect((await c.store.tokens.list()).map((t) => t.name)).toEqual(["admin", "ci"]);
      expect(await c.store.tokens.delete("ci", "admin")).toBe(true);
      expect(await c.store.tokens.delete("ci", "admin")).toBe(false);
      expect(await c.store.tokens.find(sha("2"))).toBeUndefined();
    });

    it("refuses a taken hash or name and keeps hashes out of the audit log", async () => {
      await c.store.tokens.create({ hash: sha("1"), name: "admin", role: "admin" }, "setup");
      expect(
        await c.store.tokens.create({ hash: sha("1"), name: "other", role: "viewer" }, "x"),
      ).toEqual({ ok: false, reason: "conflict" });
      expect(
        await c.store.tokens.create({ hash: sha("9"), name: "admin", role: "viewer" }, "x"),
      ).toEqual({ ok: false, reason: "conflict" });
      await c.store.tokens.delete("admin", "x");
      const audit = await c.store.audit.list();
      expect(audit.map((e) => e.action)).toEqual(["token.create", "token.delete"]);
      expect(JSON.stringify(audit)).not.toContain(sha("1"));
    });

    it("replaces a token by name in one unit: the old hash stops working", async () => {
      await c.store.tokens.create({ hash: sha("1"), name: "admin", role: "admin" }, "setup");
      c.clock.advance(1000);
      const res = await c.store.tokens.replace(
        { hash: sha("2"), name: "admin", role: "admin" },
        "local/root",
      );
      expect(res).toMatchObject({ ok: true, token: { hash: sha("2"), name: "admin" } });
      expect(await c.store.tokens.find(sha("1"))).toBeUndefined();
      expect((await c.store.tokens.find(sha("2")))?.createdAt).toBe("2026-01-01T00:00:01.000Z");
      expect(
        await c.store.tokens.replace({ hash: sha("2"), name: "other", role: "admin" }, "x"),
      ).toEqual({ ok: false, reason: "conflict" });
      const last = (await c.store.audit.list()).at(-1);
      expect(last).toMatchObject({
        action: "token.replace",
        actor: "local/root",
        target: "token/admin",
        before: { name: "admin" },
        after: { name: "admin" },
      });
      expect(JSON.stringify(last)).not.toContain(sha("2"));
      // Replacing a name that has no token creates it.
      expect(
        (await c.store.tokens.replace({ hash: sha("3"), name: "new", role: "x" }, "y")).ok,
      ).toBe(true);
    });
  });
}
