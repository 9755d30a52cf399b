// The inventory of a past moment from the audit log, over a log longer than one page (1,000
// entries): every moment between changes gives the state of then, before the first change the
// workload is absent, and now undoes nothing.
import { openMemoryStore } from "@microseg/store/memory";
import { fakeClock } from "@microseg/store/testing";
import { describe, expect, it } from "vitest";
import { testController } from "../test-helpers.js";
import { inventoryAt } from "./inventory-at.js";

const START = "2026-03-01T00:00:00.000Z";
const CHANGES = 1_200;

describe("inventoryAt", () => {
  it("undoes the changes after the moment, found by bisection in a long audit log", async () => {
    const clock = fakeClock(START);
    const store = openMemoryStore({ clock: clock.now });
    const t = await testController({ store, clock: clock.now });
    const t0 = clock.now().getTime();
    for (let i = 0; i < CHANGES; i++) {
      const r = await t.call("PUT", "/api/v1/workloads/w", {
        labels: { n: String(i) },
        addresses: ["198.18.0.9"],
      });
      expect(r.status).toBeLessThan(300);
      clock.advance(1000);
    }
    const labelAt = async (ms: number) =>
      (await inventoryAt(t.ctx, ms)).workloads.find((w) => w.name === "w")?.labels.n;
    for (const i of [0, 1, 599, 600, 999, 1000, 1001, CHANGES - 1]) {
      expect(await labelAt(t0 + i * 1000 + 500)).toBe(String(i));
    }
    expect(await labelAt(t0 - 1)).toBeUndefined();
    const now = await inventoryAt(t.ctx, clock.now().getTime());
    expect(now.undone).toBe(0);
    expect((await inventoryAt(t.ctx, t0 + 500)).undone).toBe(CHANGES - 1);
  });
});
