// `lab probe`: real connections between lab hosts. Each source host's agent (already running in
// its namespace, see programs/host-agent.js) is asked over its Unix control socket to try all of
// that host's targets at once; all sources are asked at once. So a probe costs about one
// connection timeout, however many hosts there are. The probe knows nothing of the policy: it
// reports what the kernel let through.

import { MicrosegError } from "@microseg/core";
import { askHost } from "./ask-host.js";
import {
  assembleResults,
  type Family,
  type ProbeResult,
  planProbes,
  type SourcePlan,
  type Verdict,
} from "./probe-plan.js";
import { controlPath, type LabState, readState, stateDir } from "./state.js";

/** How long one connection attempt may take before it counts as blocked. */
export const PROBE_TIMEOUT_MS = 1000;

export interface ProbeOptions {
  readonly dir?: string;
  /** Which address family to probe (default 4: the addresses the scenario names). */
  readonly family?: Family;
  readonly timeoutMs?: number;
}

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
  const verdicts = await Promise.all(
    plans.map((p) => askAgent(controlPath(p.from, dir), p, timeoutMs)),
  );
  return { results: assembleResults(plans, verdicts) };
}

/** One request/answer on a host agent's control socket; a failure says the lab looks broken. */
function askAgent(path: string, plan: SourcePlan, timeoutMs: number): Promise<Verdict[]> {
  return askHost(path, plan.targets, timeoutMs).catch((e: Error) => {
    throw broken(plan, e.message);
  });
}

function broken(plan: SourcePlan, why: string): MicrosegError {
  return new MicrosegError(
    "MSEG_LAB_NOT_UP",
    `probing from ${plan.from} failed: ${why}; the lab looks broken — run microseg lab down, then lab up again`,
  );
}
