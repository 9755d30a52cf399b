// `labApplyPolicy`: swaps the policy of a running lab without rebuilding it.
//
//   state.json ──scenario──> hosts (addresses as the running lab has them)
//   files ──compileScenario(hosts, files)──> RuleSet per managed host   (fails before any change)
//     controller mode: ──draft + provision──> every agent acknowledged its RuleSet ──┐
//     direct mode:     ──enforceHost(netns) per managed host (replace + drift check)─┴> conntrack
//                                                                                       flushed
//
// Compilation comes first, so invalid policy changes nothing. Flows already tracked by conntrack
// would otherwise keep passing under a new policy that forbids them (an ESTABLISHED UDP entry
// lives for minutes), so each host's conntrack table is flushed after its rules are replaced,
// when the `conntrack` tool is installed; without it, the swap is still correct for new flows.
import { resolve } from "node:path";
import { MicrosegError, type RuleSet } from "@microseg/core";
import { policyText, pushPolicy, waitConverged } from "./control-plane.js";
import { compileScenario, enforceHost, ruleCount } from "./enforce.js";
import { requireUp } from "./probe.js";
import { loadScenario } from "./scenario/load.js";
import type { Scenario } from "./scenario/types.js";
import type { LabState } from "./state.js";
import { stateDir } from "./state.js";
import { missingTools } from "./sys/preflight.js";
import { run } from "./sys/run.js";
import { apiOf } from "./up-control-plane.js";

export interface ApplyPolicyOptions {
  readonly dir?: string;
}

export interface ApplyPolicyResult {
  /** Managed hosts and how many rule entries each now enforces. */
  readonly hosts: readonly { readonly name: string; readonly rules: number }[];
  readonly ms: number;
}

export async function labApplyPolicy(
  files: readonly string[],
  opts: ApplyPolicyOptions = {},
): Promise<ApplyPolicyResult> {
  const started = Date.now();
  const state = requireUp(opts.dir ?? stateDir());
  const scenario = runningScenario(state, files);
  const ruleSets = compileScenario(scenario);
  const flush = missingTools(["conntrack"]).length === 0;
  const managed = state.hosts.filter((h) => h.managed);
  const missing = managed.find((h) => !ruleSets.has(h.name));
  if (missing !== undefined) {
    throw new MicrosegError(
      "MSEG_LAB_NOT_UP",
      `host ${missing.name} is not in ${state.scenario} any more; run microseg lab down, then lab up again`,
    );
  }
  const controller = state.controller;
  if (controller !== undefined) {
    const api = apiOf(controller);
    await pushPolicy(api, policyText(scenario.policy), "labApplyPolicy");
    await waitConverged(
      api,
      managed.map((h) => h.name),
    );
  }
  const hosts = await Promise.all(
    managed.map(async (h) => {
      const rs = ruleSets.get(h.name) as RuleSet;
      if (controller === undefined) await enforceHost(h.netns, rs);
      if (flush) await run("ip", ["netns", "exec", h.netns, "conntrack", "-F"]);
      return { name: h.name, rules: ruleCount(rs) };
    }),
  );
  return { hosts, ms: Date.now() - started };
}

/** The scenario of the running lab with the hosts' actual addresses and the given policy files. */
function runningScenario(state: LabState, files: readonly string[]): Scenario {
  const scenario = loadScenario(state.scenario);
  const running = new Map(state.hosts.map((h) => [h.name, h]));
  const hosts = scenario.hosts.map((h) => {
    const s = running.get(h.name);
    return s === undefined ? h : { ...h, address: s.address, address6: s.address6 };
  });
  return { ...scenario, hosts, policy: files.map((f) => resolve(f)) };
}
