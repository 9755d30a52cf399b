// `lab probe`: real connections between lab hosts. Each source host's agent (already running in
// its namespace, see programs/host-agent.js) is asked over its Unix control socket to try all of
// that host's targets at once; all sources are asked at once. So a probe costs about one
// connection timeout, however many hosts there are. The probe knows nothing of the policy: it
// reports what the kernel let through.
//
// `blocked` means no answer in every wave: whatever the first wave found blocked is tried again,
// after every source finished its first wave, the n-th wave waiting n timeouts. In a wave of
// thousands of attempts from fifty hosts on two cores, an echo server can be scheduled too late
// to answer within the timeout; the later waves hold only what was silent, so an allowed path
// answers then, and a blocked one stays silent. A first wave of more than LARGE_WAVE attempts
// gets three waves (a blocked target costs 1 + 2 + 3 s), a smaller one two (1 + 2 s).

import { MicrosegError } from "@microseg/core";
import { askHost } from "./ask-host.js";
import {
  assembleResults,
  type Family,
  type ProbeResult,
  type ProbeTarget,
  planProbes,
  type SourcePlan,
  type Verdict,
} from "./probe-plan.js";
import { controlPath, type LabState, readState, stateDir } from "./state.js";

/** How long one connection attempt may take before it counts as blocked. */
export const PROBE_TIMEOUT_MS = 1000;

/** A first wave of more attempts than this gets PROBE_ATTEMPTS_LARGE waves, a smaller one two. */
export const LARGE_WAVE = 1000;
export const PROBE_ATTEMPTS_LARGE = 3;

/** Waves a target must stay silent in before it is reported blocked, by the first wave's size. */
export function probeAttempts(plans: readonly SourcePlan[]): number {
  const first = plans.reduce((n, p) => n + p.targets.length, 0);
  return first > LARGE_WAVE ? PROBE_ATTEMPTS_LARGE : 2;
}

export interface ProbeOptions {
  readonly dir?: string;
  /** Which address family to probe (default 4: the addresses the scenario names). */
  readonly family?: Family;
  readonly timeoutMs?: number;
  /** Waves (default probeAttempts()); 1 reports the first wave as it is. */
  readonly attempts?: number;
}

/**
 * Asks one source's host server about some of its targets; one verdict each, in order. `wave`:
 * 0 for the first, 1 for the first retry, …
 */
export type AskSource = (
  plan: SourcePlan,
  targets: readonly ProbeTarget[],
  wave: number,
) => Promise<Verdict[]>;

/** The running lab's state; throws MSEG_LAB_NOT_UP unless `lab up` finished. */
export function requireUp(dir: string): LabState {
  const state = readState(dir);
  if (state === undefined) {
    throw new MicrosegError(
      "MSEG_LAB_NOT_UP",
      "no lab is up; start one with microseg lab up SCENARIO.yaml",
    );
  }
  if (state.phase !== "up") {
    throw new MicrosegError(
      "MSEG_LAB_NOT_UP",
      `lab "${state.lab}" did not finish coming up; run microseg lab down, then lab up again`,
    );
  }
  return state;
}

export async function labProbe(opts: ProbeOptions = {}): Promise<{ results: ProbeResult[] }> {
  const dir = opts.dir ?? stateDir();
  const state = requireUp(dir);
  const plans = planProbes(state.hosts, opts.family ?? 4);
  const timeoutMs = opts.timeoutMs ?? PROBE_TIMEOUT_MS;
  const ask: AskSource = (plan, targets, wave) =>
    askHost(controlPath(plan.from, dir), targets, timeoutMs * (wave + 1)).catch((e: Error) => {
      throw broken(plan, e.message);
    });
  const verdicts = await probeInWaves(plans, ask, opts.attempts ?? probeAttempts(plans));
  return { results: assembleResults(plans, verdicts) };
}

/**
 * Every source's targets at once; then, `attempts - 1` times, every target still blocked again
 * (all sources at once). Verdicts per source, in its targets' order.
 */
export async function probeInWaves(
  plans: readonly SourcePlan[],
  ask: AskSource,
  attempts: number,
): Promise<Verdict[][]> {
  const verdicts = await Promise.all(plans.map((p) => ask(p, p.targets, 0)));
  for (let wave = 1; wave < attempts; wave++) {
    const again = plans.map((p, i) =>
      p.targets.flatMap((_, j) => (verdicts[i]?.[j] === "blocked" ? [j] : [])),
    );
    if (again.every((js) => js.length === 0)) break;
    await Promise.all(
      plans.map(async (p, i) => {
        const js = again[i] ?? [];
        if (js.length === 0) return;
        const second = await ask(
          p,
          js.map((j) => p.targets[j] as ProbeTarget),
          wave,
        );
        js.forEach((j, k) => {
          if (second[k] === "allowed") (verdicts[i] as Verdict[])[j] = "allowed";
        });
      }),
    );
  }
  return verdicts;
}

function broken(plan: SourcePlan, why: string): MicrosegError {
  return new MicrosegError(
    "MSEG_LAB_NOT_UP",
    `probing from ${plan.from} failed: ${why}; the lab looks broken — run microseg lab down, then lab up again`,
  );
}
