// Draft against active (GET /policy/diff): compiled and compared in a policy worker
// (compile-worker/diff.ts) from the draft's stored model, within the compile budgets.
import type { ControllerContext } from "../context.js";
import { getDraft, inventoryInput } from "./policy-draft.js";
import { draftSource } from "./policy-text.js";

export async function diffDraft(ctx: ControllerContext) {
  const draft = await getDraft(ctx);
  const active = ctx.hub.activeRevision;
  const input = {
    draft: draftSource(draft),
    active: active === null ? null : activeModel(ctx),
    ...inventoryInput(ctx),
  };
  const diff = await ctx.policyWorkers.run("diff", input, ctx.settings.compileTimeoutMs);
  return {
    active,
    identical: diff.workloads.length === 0 && diff.rules.length === 0,
    rules: diff.rules,
    workloads: diff.workloads,
  };
}

/** The active revision's policy and declared workloads, as the hub compiled them. */
export function activeModel(ctx: ControllerContext) {
  return { policy: ctx.hub.activePolicy, workloads: ctx.hub.declaredWorkloads() };
}
