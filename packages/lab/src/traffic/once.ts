// `lab traffic --once`: every flow of the lab's traffic plan once, now, and what happened.
// Flows are grouped by source host; each source's host server tries all of its flows at once,
// all sources at once, so a run takes about one connection timeout.

import { askHost } from "../ask-host.js";
import { PROBE_TIMEOUT_MS, requireUp } from "../probe.js";
import type { Verdict } from "../probe-plan.js";
import { stateDir } from "../state.js";
import { type BoundFlow, labTrafficPlan } from "./lab-plan.js";

export interface TrafficResult {
  readonly from: string;
  readonly to: string;
  /** `tcp/8080` */
  readonly port: string;
  readonly verdict: Verdict;
}

export interface TrafficOnceOptions {
  readonly dir?: string;
  readonly timeoutMs?: number;
  /** Run only the flows whose source or destination is one of these hosts. */
  readonly hosts?: readonly string[];
}

export async function labTrafficOnce(opts: TrafficOnceOptions = {}): Promise<TrafficResult[]> {
  const dir = opts.dir ?? stateDir();
  const state = requireUp(dir);
  const only = opts.hosts === undefined ? undefined : new Set(opts.hosts);
  const plan = labTrafficPlan(state, dir).filter(
    (f) => only === undefined || only.has(f.from) || only.has(f.to),
  );
  return runFlows(plan, opts.timeoutMs ?? PROBE_TIMEOUT_MS);
}

/** Runs flows once (each source's at once); results in the plan's order. */
export async function runFlows(
  flows: readonly BoundFlow[],
  timeoutMs: number,
): Promise<TrafficResult[]> {
  const bySource = new Map<string, BoundFlow[]>();
  for (const f of flows) bySource.set(f.from, [...(bySource.get(f.from) ?? []), f]);
  const verdicts = new Map<BoundFlow, Verdict>();
  await Promise.all(
    [...bySource.values()].map(async (group) => {
      const targets = group.map((f) => ({
        to: f.to,
        address: f.address,
        proto: f.proto,
        port: f.port,
      }));
      const answer = await askHost(group[0]?.socket ?? "", targets, timeoutMs).catch((e: Error) => {
        throw new Error(`traffic from ${group[0]?.from}: ${e.message}`);
      });
      for (const [i, f] of group.entries()) verdicts.set(f, answer[i] ?? "blocked");
    }),
  );
  return flows.map((f) => ({
    from: f.from,
    to: f.to,
    port: `${f.proto}/${f.port}`,
    verdict: verdicts.get(f) ?? "blocked",
  }));
}
