import { describe, expect, it } from "vitest";
import type { MakeHarness } from "../testing.js";
import { useHarness } from "./setup.js";

export function leaseContract(make: MakeHarness): void {
  describe("leases", () => {
    const c = useHarness(make);

    it("one holder at a time; a renewal keeps the epoch; an expired lease changes hands", async () => {
      const leases = c.store.leases;
      const a = await leases.acquire("retention", "replica-a", 10_000);
      expect(a).toEqual({
        name: "retention",
        holder: "replica-a",
        epoch: 1,
        expiresAt: "2026-01-01T00:00:10.000Z",
      });
      c.clock.advance(5_000);
      expect((await leases.acquire("retention", "replica-b", 10_000)).holder).toBe("replica-a");
      const renewed = await leases.acquire("retention", "replica-a", 10_000);
      expect(renewed).toMatchObject({ epoch: 1, expiresAt: "2026-01-01T00:00:15.000Z" });
      c.clock.advance(15_000);
      const b = await leases.acquire("retention", "replica-b", 10_000);
      expect(b).toMatchObject({ holder: "replica-b", epoch: 2 });
      expect((await leases.acquire("retention", "replica-a", 10_000)).holder).toBe("replica-b");
    });

    it("a release hands the lease over at once, and only its holder can release it", async () => {
      const leases = c.store.leases;
      await leases.acquire("delivery", "replica-a", 60_000);
      expect(await leases.release("delivery", "replica-b")).toBe(false);
      expect(await leases.release("delivery", "replica-a")).toBe(true);
      expect(await leases.acquire("delivery", "replica-b", 60_000)).toMatchObject({
        holder: "replica-b",
        epoch: 2,
      });
      await leases.acquire("gaps", "replica-a", 60_000);
      expect((await leases.list()).map((l) => `${l.name} ${l.holder}`)).toEqual([
        "delivery replica-b",
        "gaps replica-a",
      ]);
    });

    it("racing acquirers: exactly one takes a free lease", async () => {
      const takers = ["a", "b", "c", "d", "e"];
      const got = await Promise.all(takers.map((h) => c.store.leases.acquire("race", h, 30_000)));
      const holders = new Set(got.map((l) => l.holder));
      expect(holders.size).toBe(1);
      expect(got.filter((l) => l.epoch === 1)).toHaveLength(5);
    });
  });

  describe("shared secrets", () => {
    const c = useHarness(make);

    it("the first create wins; later ones answer the stored secret", async () => {
      const s = c.store.secrets;
      expect(await s.get("ca")).toBeUndefined();
      const [x, y] = await Promise.all([s.create("ca", "pem-x"), s.create("ca", "pem-y")]);
      expect([x.created, y.created].sort()).toEqual([false, true]);
      expect(x.value).toBe(y.value);
      expect(await s.get("ca")).toEqual({
        name: "ca",
        value: x.value,
        createdAt: "2026-01-01T00:00:00.000Z",
      });
    });
  });
}
