// The policy draft: edited as YAML text, validated with core's loadPolicy before anything is
// saved. An invalid text answers MSEG_POLICY_INVALID with every diagnostic and leaves the stored
// draft as it was.
import { type Policy, type PolicyTest, runPolicyTests, type Workload } from "@microseg/core";
import { ApiError } from "@microseg/protocol";
import type { Draft } from "@microseg/store";
import type { ControllerContext } from "../context.js";
import { PARSED_VERSION, parsedJson, parsePolicyText } from "./policy-text.js";

export async function getDraft(ctx: ControllerContext): Promise<Draft> {
  const draft = await ctx.store.policy.getDraft();
  if (draft === undefined) {
    throw new ApiError("MSEG_API_NOT_FOUND", "no draft yet; PUT /api/v1/policy/draft first");
  }
  return draft;
}

export async function putDraft(ctx: ControllerContext, text: string, actor: string) {
  const inventory = await ctx.store.workloads.list();
  const parsed = parsePolicyText(text, inventory);
  if (!parsed.ok) {
    const n = parsed.diagnostics.length;
    throw new ApiError(
      "MSEG_POLICY_INVALID",
      `the policy has ${n} problem${n === 1 ? "" : "s"}; nothing was saved`,
      { diagnostics: parsed.diagnostics },
    );
  }
  const draft = await ctx.store.policy.saveDraft(
    { text, parsed: parsedJson(parsed), parsedVersion: PARSED_VERSION },
    actor,
  );
  const summary = {
    rules: parsed.policy.rules.length,
    ipLists: Object.keys(parsed.policy.ipLists).length,
    workloads: parsed.workloads.length,
  };
  const tests = runTests(ctx, parsed.policy, parsed.workloads, parsed.tests);
  return { draft: draftView(draft), summary, ...(tests !== undefined && { tests }) };
}

/** The draft's `tests:` against the draft and the inventory it would compile against. */
function runTests(
  ctx: ControllerContext,
  policy: Policy,
  declared: readonly Workload[],
  tests: readonly PolicyTest[],
) {
  if (tests.length === 0) return undefined;
  const results = runPolicyTests(policy, ctx.hub.inventoryWith(declared), tests);
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

/** The draft as the API shows it (the parsed model stays inside the controller). */
export function draftView(d: Draft) {
  const { name, text, baseRevision, updatedAt, updatedBy } = d;
  return { name, text, baseRevision, updatedAt, updatedBy };
}
