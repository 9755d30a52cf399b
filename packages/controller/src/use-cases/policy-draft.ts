// The policy draft: edited as YAML text, checked in a policy worker (parse, validate, compile,
// `tests:`) before anything is saved. An invalid text answers MSEG_POLICY_INVALID with every
// diagnostic, a text that does not compile within the budgets MSEG_POLICY_TOO_COMPLEX; either
// leaves the stored draft as it was. What is saved is the model the worker produced, so later
// reads (diff, provision, replay) never parse the text on the API's thread.
import { ApiError } from "@microseg/protocol";
import type { Draft } from "@microseg/store";
import type { InventoryInput } from "../compile-worker/inventory.js";
import type { ControllerContext } from "../context.js";
import { policyRefusal } from "./policy-refusal.js";
import { PARSED_VERSION } from "./policy-text.js";

export async function getDraft(ctx: ControllerContext): Promise<Draft> {
  const draft = await ctx.store.policy.getDraft();
  if (draft === undefined) {
    throw new ApiError("MSEG_API_NOT_FOUND", "no draft yet; PUT /api/v1/policy/draft first");
  }
  return draft;
}

export async function putDraft(ctx: ControllerContext, text: string, actor: string) {
  const checked = await checkText(ctx, text, "nothing was saved");
  const draft = await ctx.store.policy.saveDraft(
    { text, parsed: checked.parsed, parsedVersion: PARSED_VERSION },
    actor,
  );
  ctx.log.info({ ...checked.compiled, rules: checked.summary.rules }, "draft saved");
  const { summary, tests } = checked;
  return { draft: draftView(draft), summary, ...(tests !== undefined && { tests }) };
}

/**
 * Parses, validates and compiles `text` in a policy worker against today's inventory; refuses
 * (`consequence` says what that means) when it is invalid or exceeds a budget.
 */
export async function checkText(ctx: ControllerContext, text: string, consequence: string) {
  let checked: Awaited<ReturnType<typeof ctx.policyWorkers.run<"check">>>;
  try {
    const input = { text, ...inventoryInput(ctx) };
    checked = await ctx.policyWorkers.run("check", input, ctx.settings.compileTimeoutMs);
  } catch (err) {
    if (err instanceof ApiError && err.code === "MSEG_POLICY_TOO_COMPLEX") {
      throw new ApiError(err.code, `${err.message}; ${consequence}`, err.details);
    }
    throw err;
  }
  if (!checked.ok) throw policyRefusal(checked.diagnostics, "the policy", consequence);
  return checked;
}

/** The hub's inventory as a policy job takes it. */
export function inventoryInput(ctx: ControllerContext): InventoryInput {
  return { stored: ctx.hub.inventoryWith([]), quarantines: ctx.hub.quarantineMarks() };
}

/** The draft as the API shows it (the parsed model stays inside the controller). */
export function draftView(d: Draft) {
  const { name, text, baseRevision, updatedAt, updatedBy } = d;
  return { name, text, baseRevision, updatedAt, updatedBy };
}
