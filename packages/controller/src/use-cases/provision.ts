// Provision (draft -> revision N+1, active) and rollback (revision `to` -> revision N+1, active).
// The store commits the revision and its audit entry as one unit; only then does the hub switch,
// recompile, and answer the long-polls of exactly the agents whose RuleSet changed.
//
// The hub compiles on the API's thread, so provision activates only a draft that compiled within
// the budgets in a policy worker: every draft saved by PUT /policy/draft did (its stored model
// carries `compiled`); a draft saved by an older controller is compiled in a worker first. The
// hub's compile then costs about what the worker measured; both are logged.
import { ApiError } from "@microseg/protocol";
import type { Revision } from "@microseg/store";
import type { ControllerContext } from "../context.js";
import { checkText } from "./policy-draft.js";
import { hubRevision, storedModel } from "./policy-text.js";

export interface ProvisionBody {
  readonly comment: string;
  readonly expectedActive?: number | null | undefined;
}

export async function provision(ctx: ControllerContext, body: ProvisionBody, actor: string) {
  await ensureCompiled(ctx);
  const result = await ctx.store.policy.provision(withExpected(body), actor);
  if (!result.ok) {
    if (result.reason === "no-draft") {
      throw new ApiError(
        "MSEG_API_NOT_FOUND",
        "no draft to provision; PUT /api/v1/policy/draft first",
      );
    }
    throw refusal(result.reason);
  }
  return activate(ctx, result.revision);
}

/**
 * A draft without compile facts (saved by an older controller) is checked in a worker first: a
 * text over a budget, or one that no longer loads, is not provisioned (save it again).
 */
async function ensureCompiled(ctx: ControllerContext): Promise<void> {
  const draft = await ctx.store.policy.getDraft();
  if (draft === undefined || storedModel(draft)?.compiled !== undefined) return;
  await checkText(ctx, draft.text, "nothing was provisioned; fix the draft and save it again");
}

export async function rollback(
  ctx: ControllerContext,
  body: ProvisionBody & { readonly to: number },
  actor: string,
) {
  const input = { ...withExpected(body), to: body.to };
  const result = await ctx.store.policy.rollback(input, actor);
  if (!result.ok) {
    if (result.reason === "no-revision") {
      throw new ApiError(
        "MSEG_API_NOT_FOUND",
        `no revision ${body.to} (see GET /api/v1/policy/history)`,
      );
    }
    throw refusal(result.reason);
  }
  return activate(ctx, result.revision);
}

export async function history(ctx: ControllerContext, opts: { limit?: number; before?: number }) {
  const revisions = await ctx.store.policy.history(opts);
  return { active: ctx.hub.activeRevision, revisions: revisions.map(summary) };
}

export async function revisionByNumber(ctx: ControllerContext, n: number) {
  const revision = await ctx.store.policy.revision(n);
  if (revision === undefined) throw new ApiError("MSEG_API_NOT_FOUND", `no revision ${n}`);
  return { ...summary(revision), text: revision.text };
}

export async function activeRevision(ctx: ControllerContext) {
  const revision = await ctx.store.policy.active();
  if (revision === undefined) throw new ApiError("MSEG_API_NOT_FOUND", "nothing provisioned yet");
  return { ...summary(revision), text: revision.text };
}

export function summary(r: Revision) {
  const { number, author, createdAt, comment, hash, rolledBackFrom } = r;
  return { number, author, createdAt, comment, hash, rolledBackFrom };
}

function activate(ctx: ControllerContext, revision: Revision) {
  const waitingBefore = ctx.hub.waiting();
  const t0 = performance.now();
  const changedWorkloads = ctx.hub.setRevision(hubRevision(revision));
  const compileMs = Math.round(performance.now() - t0);
  // From here until each of these workloads' agents acknowledges: the push latency.
  ctx.metrics.published(revision.number, changedWorkloads);
  const pushed = waitingBefore - ctx.hub.waiting();
  const workerCompileMs = storedModel(revision)?.compiled?.ms;
  ctx.log.info(
    {
      revision: revision.number,
      changed: changedWorkloads.length,
      pushed,
      compileMs,
      workerCompileMs,
    },
    "revision active",
  );
  return { revision: summary(revision), pushed, changedWorkloads };
}

function withExpected(body: ProvisionBody) {
  return {
    comment: body.comment,
    ...(body.expectedActive !== undefined && { expectedActive: body.expectedActive }),
  };
}

function refusal(reason: "stale" | "unchanged"): ApiError {
  return reason === "stale"
    ? new ApiError(
        "MSEG_POLICY_STALE",
        "another revision became active in between; review the diff and retry",
      )
    : new ApiError(
        "MSEG_POLICY_UNCHANGED",
        "the policy is identical to the active revision; nothing to provision",
      );
}
