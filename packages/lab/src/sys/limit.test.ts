import { describe, expect, it } from "vitest";
import { forEachLimited } from "./limit.js";

describe("forEachLimited", () => {
  it("runs every item, never more than the limit at once, starting them in order", async () => {
    let inFlight = 0;
    let most = 0;
    const started: number[] = [];
    await forEachLimited([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      started.push(n);
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 5 + (n % 3) * 5));
      inFlight--;
    });
    expect(started).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(most).toBe(3);
  });

  it("starts nothing after a failure, and reports it", async () => {
    const seen: number[] = [];
    const run = forEachLimited([1, 2, 3, 4, 5, 6], 2, async (n) => {
      seen.push(n);
      await new Promise((r) => setTimeout(r, n === 2 ? 1 : 20));
      if (n === 2) throw new Error("two failed");
    });
    await expect(run).rejects.toThrow("two failed");
    await new Promise((r) => setTimeout(r, 50));
    // 1 was in flight when 2 failed; 3 and later never started
    expect(seen).toEqual([1, 2]);
  });

  it("does nothing for no items", async () => {
    await forEachLimited([], 4, async () => {
      throw new Error("never");
    });
  });
});
