// The `tests:` runner: each assertion is a hypothetical flow whose Decision.policy (modes
// ignored) must equal `expect`. A test that cannot be evaluated (unknown workload, bad port)
// fails without a decision.

import type { Decision } from "../decision.js";
import type { Policy, PolicyTest, Workload } from "../model.js";
import { ExplainContext } from "./context.js";
import { explainEndpoints } from "./explain.js";

export interface PolicyTestResult {
  readonly test: PolicyTest;
  readonly passed: boolean;
  /** Present when the test could be evaluated. */
  readonly decision?: Decision;
  /** Why the test could not be evaluated. */
  readonly error?: string;
}

/** Evaluates `tests:` assertions; `expect` is compared with Decision.policy (modes ignored). */
export function runPolicyTests(
  policy: Policy,
  workloads: readonly Workload[],
  tests: readonly PolicyTest[],
): PolicyTestResult[] {
  if (tests.length === 0) return [];
  const ctx = new ExplainContext(policy, workloads);
  return tests.map((test) => {
    try {
      const src = ctx.endpointFromText(test.from);
      const dst = ctx.endpointFromText(test.to);
      const decision = explainEndpoints(ctx, src, dst, test.port);
      return { test, passed: decision.policy === test.expect, decision };
    } catch (e) {
      return { test, passed: false, error: e instanceof Error ? e.message : String(e) };
    }
  });
}
