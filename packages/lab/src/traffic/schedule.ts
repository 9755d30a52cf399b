// When each flow of a traffic plan runs next (pure; the random source is passed in, so tests
// can pin it). Flows start spread over their first period, so a plan whose flows share one
// period does not fire them all at once, and every later wait is the period ±TRAFFIC_JITTER.
import { seededRandom as coreSeededRandom } from "@microseg/core";
import type { TrafficFlow } from "./plan.js";

/** Each wait is the flow's period times a factor drawn from [1 - J, 1 + J]. */
export const TRAFFIC_JITTER = 0.2;

/** A number in [0, 1), like Math.random. */
export type Random = () => number;

/** The wait before the flow's next run, in ms: everyMs ± TRAFFIC_JITTER, at least 1 ms. */
export function nextWait(flow: Pick<TrafficFlow, "everyMs">, random: Random): number {
  const factor = 1 + TRAFFIC_JITTER * (2 * random() - 1);
  return Math.max(1, Math.round(flow.everyMs * factor));
}

/** When each flow first runs, relative to the start: somewhere in its first period. */
export function firstRuns(
  flows: readonly Pick<TrafficFlow, "everyMs">[],
  random: Random,
): number[] {
  return flows.map((f) => Math.floor(random() * f.everyMs));
}

/**
 * Every run of every flow within `durationMs` from the start, in time order: what a driver
 * that never falls behind would do. For tests and for sizing a plan (runs per minute).
 */
export function runsWithin(
  flows: readonly Pick<TrafficFlow, "everyMs">[],
  durationMs: number,
  random: Random,
): { flow: number; at: number }[] {
  const runs: { flow: number; at: number }[] = [];
  firstRuns(flows, random).forEach((first, flow) => {
    const f = flows[flow] as Pick<TrafficFlow, "everyMs">;
    for (let at = first; at < durationMs; at += nextWait(f, random)) runs.push({ flow, at });
  });
  return runs.sort((a, b) => a.at - b.at || a.flow - b.flow);
}

/** A deterministic Random for tests and reproducible runs (mulberry32). */
export const seededRandom: (seed: number) => Random = coreSeededRandom;
