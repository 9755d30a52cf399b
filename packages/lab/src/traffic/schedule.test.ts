// The traffic schedule: jittered periods, spread first runs, deterministic with a seed.
import { describe, expect, it } from "vitest";
import { firstRuns, nextWait, runsWithin, seededRandom, TRAFFIC_JITTER } from "./schedule.js";

describe("traffic schedule", () => {
  it("waits the period ± the jitter, never outside it", () => {
    const random = seededRandom(7);
    const waits = Array.from({ length: 2000 }, () => nextWait({ everyMs: 1000 }, random));
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(1000 * (1 - TRAFFIC_JITTER));
    expect(Math.max(...waits)).toBeLessThanOrEqual(1000 * (1 + TRAFFIC_JITTER));
    // jittered, not constant: the waits cover most of the window
    expect(Math.max(...waits) - Math.min(...waits)).toBeGreaterThan(300);
    const mean = waits.reduce((a, b) => a + b, 0) / waits.length;
    expect(Math.abs(mean - 1000)).toBeLessThan(20);
  });

  it("uses the extremes of the random source as the window's ends", () => {
    expect(nextWait({ everyMs: 1000 }, () => 0)).toBe(800);
    expect(nextWait({ everyMs: 1000 }, () => 0.999_999)).toBe(1200);
    expect(nextWait({ everyMs: 1 }, () => 0)).toBe(1);
  });

  it("spreads first runs over each flow's first period", () => {
    const flows = Array.from({ length: 50 }, () => ({ everyMs: 2000 }));
    const first = firstRuns(flows, seededRandom(1));
    expect(first.every((t) => t >= 0 && t < 2000)).toBe(true);
    expect(new Set(first).size).toBeGreaterThan(40);
  });

  it("runs each flow about duration / period times, in time order", () => {
    const flows = [{ everyMs: 1000 }, { everyMs: 5000 }];
    const runs = runsWithin(flows, 60_000, seededRandom(3));
    const fast = runs.filter((r) => r.flow === 0).length;
    const slow = runs.filter((r) => r.flow === 1).length;
    expect(fast).toBeGreaterThanOrEqual(55);
    expect(fast).toBeLessThanOrEqual(65);
    expect(slow).toBeGreaterThanOrEqual(11);
    expect(slow).toBeLessThanOrEqual(13);
    expect(runs.map((r) => r.at)).toEqual([...runs.map((r) => r.at)].sort((a, b) => a - b));
  });

  it("is reproducible with the same seed", () => {
    const flows = [{ everyMs: 700 }, { everyMs: 1300 }];
    expect(runsWithin(flows, 10_000, seededRandom(42))).toEqual(
      runsWithin(flows, 10_000, seededRandom(42)),
    );
  });
});
