// A probe's `blocked` means silent in every wave: what the first wave found blocked is asked
// again, once every source is done, and only what stays silent is reported blocked.
import { describe, expect, it } from "vitest";
import { type AskSource, LARGE_WAVE, probeAttempts, probeInWaves } from "./probe.js";
import type { ProbeTarget, SourcePlan, Verdict } from "./probe-plan.js";

const target = (to: string, port: number): ProbeTarget => ({
  to,
  address: `198.18.0.${to.length}`,
  proto: "udp",
  port,
});
const plans: SourcePlan[] = [
  { from: "a", netns: "mseg-t-a", targets: [target("b", 53), target("c", 53)] },
  { from: "b", netns: "mseg-t-b", targets: [target("a", 53), target("c", 53)] },
];

describe("probeInWaves", () => {
  it("asks again only for what was blocked, after every source answered its first wave", async () => {
    const asked: string[] = [];
    let firstWaveOpen = plans.length;
    // first wave: everything to c is silent (c's echo server ran late); after it, c answers
    // b, never a (a's path to c is blocked)
    const ask: AskSource = async (plan, targets) => {
      asked.push(`${plan.from}: ${targets.map((t) => t.to).join(",")}`);
      const second = firstWaveOpen === 0;
      if (!second) firstWaveOpen--;
      return targets.map(
        (t): Verdict => (t.to !== "c" || (second && plan.from === "b") ? "allowed" : "blocked"),
      );
    };
    const verdicts = await probeInWaves(plans, ask, 2);
    expect(verdicts).toEqual([
      ["allowed", "blocked"],
      ["allowed", "allowed"],
    ]);
    expect(asked).toEqual(["a: b,c", "b: a,c", "a: c", "b: c"]);
  });

  it("makes no second wave when nothing was blocked, or with one attempt", async () => {
    let calls = 0;
    const allowed: AskSource = async (_, targets) => {
      calls++;
      return targets.map(() => "allowed");
    };
    await probeInWaves(plans, allowed, 2);
    expect(calls).toBe(2);
    const silent: AskSource = async (_, targets) => {
      calls++;
      return targets.map(() => "blocked");
    };
    calls = 0;
    expect(await probeInWaves(plans, silent, 1)).toEqual([
      ["blocked", "blocked"],
      ["blocked", "blocked"],
    ]);
    expect(calls).toBe(2);
    calls = 0;
    await probeInWaves(plans, silent, 2);
    expect(calls).toBe(4);
  });

  it("tells each wave its number, so later waves wait longer; a third wave finds the latest", async () => {
    const waves: number[] = [];
    // c answers only from the third wave on (its echo server ran late twice)
    const ask: AskSource = async (_, targets, wave) => {
      waves.push(wave);
      return targets.map((t): Verdict => (t.to !== "c" || wave >= 2 ? "allowed" : "blocked"));
    };
    expect(await probeInWaves(plans, ask, 3)).toEqual([
      ["allowed", "allowed"],
      ["allowed", "allowed"],
    ]);
    expect(waves).toEqual([0, 0, 1, 1, 2, 2]);
  });

  it("gives a large first wave three waves, a small one two", () => {
    const many = (n: number): SourcePlan[] => [
      { from: "a", netns: "mseg-t-a", targets: Array.from({ length: n }, () => target("b", 53)) },
    ];
    expect(probeAttempts(plans)).toBe(2);
    expect(probeAttempts(many(LARGE_WAVE))).toBe(2);
    expect(probeAttempts(many(LARGE_WAVE + 1))).toBe(3);
  });
});
