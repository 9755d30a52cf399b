// What the policy-swap test sends, and what each connection must find (pure, no I/O besides
// reading the scenario and policy files).
//
//   testdata/scenarios/policy-swap.yaml       hosts; the lab comes up with revision A
//   testdata/scenarios/policy-swap-a.yaml     revision A
//   testdata/scenarios/policy-swap-b.yaml     revision B
//
// Every flow has a class, checked against both revisions with explain() (swapClasses):
//   allowed  allowed by A and by B: any connection that does not complete is wrongly dropped
//   denied   denied by A and by B: any connection that completes is wrongly admitted
//   flip     allowed by one, denied by the other: judged only inside a settled window, by the
//            revision every table held then (swap-judge.ts)
// Only `guest` and `stranger` send denied or flip traffic. The other hosts' clients are all
// `allowed`, so any TCP retransmission their kernels count is an allowed packet that was
// dropped and repaired by TCP (a denied SYN is never retransmitted here: its attempt ends after
// DENIED_TIMEOUT_MS, before the first SYN retransmission at 1 s).

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { explain, loadPolicy, type Policy, type RuleSet, type Workload } from "@microseg/core";
import { compileScenario, workloadsOf } from "../enforce.js";
import { loadScenario } from "../scenario/load.js";
import type { Scenario } from "../scenario/types.js";

export type SwapClass = "allowed" | "denied" | "flip";

export interface SwapFlow {
  readonly from: string;
  readonly to: string;
  /** `tcp/8000` or `udp/5353` */
  readonly port: string;
  readonly class: SwapClass;
  /** One attempt every this many ms (each flow runs on its own). */
  readonly everyMs: number;
}

/** A long-lived connection to an echo port, opened under A and kept through every swap. */
export interface LongFlow {
  readonly from: string;
  readonly to: string;
  readonly port: number;
  readonly count: number;
  readonly pingMs: number;
}

const SCENARIOS = join(import.meta.dirname, "../../testdata/scenarios");
export const SWAP_SCENARIO = join(SCENARIOS, "policy-swap.yaml");
export const POLICY_A = join(SCENARIOS, "policy-swap-a.yaml");
export const POLICY_B = join(SCENARIOS, "policy-swap-b.yaml");

/**
 * An allowed attempt without a handshake (or echo) after this long failed; so did any TCP
 * attempt whose answer took this long after the handshake (generous: the machine may be loaded).
 */
export const ALLOWED_TIMEOUT_MS = 3000;
/** Below the first SYN retransmission (1 s), so a denied attempt never retransmits. */
export const DENIED_TIMEOUT_MS = 800;
/** The echo port of the long-lived connections (served by programs/swap-traffic.js). */
export const ECHO_PORT = 7000;

export const SWAP_FLOWS: readonly SwapFlow[] = [
  { from: "web", to: "app", port: "tcp/8000", class: "allowed", everyMs: 15 },
  { from: "web", to: "app", port: "udp/5353", class: "allowed", everyMs: 30 },
  { from: "app", to: "db", port: "tcp/5432", class: "allowed", everyMs: 15 },
  { from: "web", to: "outside", port: "tcp/80", class: "allowed", everyMs: 30 },
  { from: "outside", to: "web", port: "tcp/80", class: "allowed", everyMs: 30 },
  { from: "guest", to: "app", port: "tcp/8000", class: "denied", everyMs: 40 },
  { from: "guest", to: "app", port: "udp/5353", class: "denied", everyMs: 40 },
  { from: "guest", to: "db", port: "tcp/5432", class: "denied", everyMs: 40 },
  { from: "guest", to: "outside", port: "tcp/80", class: "denied", everyMs: 40 },
  { from: "stranger", to: "db", port: "tcp/5432", class: "denied", everyMs: 40 },
  { from: "stranger", to: "web", port: "tcp/80", class: "denied", everyMs: 40 },
  { from: "stranger", to: "app", port: "udp/5353", class: "denied", everyMs: 40 },
  { from: "guest", to: "web", port: "tcp/80", class: "flip", everyMs: 20 },
  { from: "stranger", to: "app", port: "tcp/8000", class: "flip", everyMs: 20 },
];

export const LONG_FLOWS: readonly LongFlow[] = [
  { from: "web", to: "app", port: ECHO_PORT, count: 2, pingMs: 50 },
  { from: "app", to: "db", port: ECHO_PORT, count: 2, pingMs: 50 },
];

export type Revision = "A" | "B";
export type Verdicts = ReadonlyMap<Revision, readonly ("allow" | "deny")[]>;

export function flowName(f: Pick<SwapFlow, "from" | "to" | "port">): string {
  return `${f.from} -> ${f.to} ${f.port}`;
}

/** The swap scenario with the given policy file instead of its own. */
export function swapScenario(policyFile: string): Scenario {
  return { ...loadScenario(SWAP_SCENARIO), policy: [policyFile] };
}

/** What each revision says of each flow (index = SWAP_FLOWS index). */
export function swapVerdicts(flows: readonly SwapFlow[] = SWAP_FLOWS): Verdicts {
  const judge = (file: string) => {
    const s = swapScenario(file);
    const { policy, workloads } = loaded(s, file);
    return flows.map((f) => verdictOf(policy, workloads, f));
  };
  return new Map([
    ["A", judge(POLICY_A)],
    ["B", judge(POLICY_B)],
  ]);
}

/** The class the two revisions give each flow (what SWAP_FLOWS must declare). */
export function swapClasses(verdicts: Verdicts): SwapClass[] {
  const a = verdicts.get("A") ?? [];
  const b = verdicts.get("B") ?? [];
  return a.map((v, i) => (v !== b[i] ? "flip" : v === "allow" ? "allowed" : "denied"));
}

/** Each managed host's RuleSet under A and under B. */
export function swapRuleSets(): Map<Revision, Map<string, RuleSet>> {
  return new Map([
    ["A", compileScenario(swapScenario(POLICY_A))],
    ["B", compileScenario(swapScenario(POLICY_B))],
  ]);
}

function loaded(s: Scenario, file: string): { policy: Policy; workloads: Workload[] } {
  const inventory = workloadsOf(s);
  const out = loadPolicy([{ file, text: readFileSync(file, "utf8") }], { inventory });
  if (out.diagnostics.length > 0) throw new Error(`${file} is invalid`);
  return { policy: out.policy, workloads: inventory };
}

function verdictOf(policy: Policy, workloads: readonly Workload[], f: SwapFlow): "allow" | "deny" {
  const query = { from: { workload: f.from }, to: { workload: f.to }, port: f.port };
  return explain(policy, workloads, query).policy;
}
