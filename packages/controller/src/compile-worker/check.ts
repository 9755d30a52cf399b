// The draft check, run in a policy worker: parse and validate the text, compile it against the
// inventory it would be provisioned on, run its `tests:`. What it answers is what PUT
// /policy/draft saves (the parsed model as JSON) and shows (summary, test failures).
import {
  compile,
  type Diagnostic,
  type Policy,
  type PolicyTest,
  runPolicyTests,
  type Workload,
} from "@microseg/core";
import type { Json } from "@microseg/store";
import { type CompiledFacts, parsedJson, parsePolicyText } from "../use-cases/policy-text.js";
import { type InventoryInput, inventoryWith } from "./inventory.js";

export interface CheckInput extends InventoryInput {
  readonly text: string;
}

export type CheckOutput =
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] }
  | {
      readonly ok: true;
      /** The stored form of the parsed model (policy-text.ts), compile facts included. */
      readonly parsed: Json;
      readonly summary: { rules: number; ipLists: number; workloads: number };
      readonly compiled: CompiledFacts;
      readonly tests?: TestsReport;
    };

export interface TestsReport {
  readonly passed: number;
  readonly failed: number;
  readonly failures: readonly object[];
}

export function checkDraft(input: CheckInput): CheckOutput {
  // The store's workloads are the names `tests:` may use, as before the hub existed.
  const parsed = parsePolicyText(input.text, input.stored);
  if (!parsed.ok) return { ok: false, diagnostics: parsed.diagnostics };
  const inventory = inventoryWith(input, parsed.workloads);
  const t0 = performance.now();
  const ruleSets = compile(parsed.policy, inventory);
  let entries = 0;
  for (const rs of ruleSets.values())
    entries += rs.inbound.entries.length + rs.outbound.entries.length;
  const compiled = { ms: Math.round(performance.now() - t0), ruleSets: ruleSets.size, entries };
  const tests = runTests(parsed.policy, inventory, parsed.tests);
  return {
    ok: true,
    parsed: parsedJson(parsed, compiled),
    summary: {
      rules: parsed.policy.rules.length,
      ipLists: Object.keys(parsed.policy.ipLists).length,
      workloads: parsed.workloads.length,
    },
    compiled,
    ...(tests !== undefined && { tests }),
  };
}

/** The draft's `tests:` against the draft and the inventory it would compile against. */
function runTests(
  policy: Policy,
  inventory: readonly Workload[],
  tests: readonly PolicyTest[],
): TestsReport | undefined {
  if (tests.length === 0) return undefined;
  const results = runPolicyTests(policy, inventory, tests);
  const failures = results
    .filter((r) => !r.passed)
    .map((r) => ({
      path: r.test.source.path,
      from: r.test.from,
      to: r.test.to,
      port: r.test.port,
      expect: r.test.expect,
      ...(r.decision !== undefined && { got: r.decision.policy }),
      ...(r.error !== undefined && { error: r.error }),
    }));
  return { passed: results.length - failures.length, failed: failures.length, failures };
}
