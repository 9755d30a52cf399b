// Placeholder signatures; implemented in this folder.
import type { Decision, FlowQuery } from "../decision.js";
import type { Policy, PolicyTest, Workload } from "../model.js";

export function explain(
  _policy: Policy,
  _workloads: readonly Workload[],
  _query: FlowQuery,
): Decision {
  throw new Error("not implemented");
}

export interface PolicyTestResult {
  readonly test: PolicyTest;
  readonly passed: boolean;
  /** Present when the test could be evaluated. */
  readonly decision?: Decision;
}

/** Evaluates `tests:` assertions; `expect` is compared with Decision.policy (modes ignored). */
export function runPolicyTests(
  _policy: Policy,
  _workloads: readonly Workload[],
  _tests: readonly PolicyTest[],
): PolicyTestResult[] {
  throw new Error("not implemented");
}
