// Replay and blast radius of a draft, run in a policy worker: a draft given in the request is
// parsed here, and both analyses cost in proportion to the policy, not to the request.
import type { Policy, Workload } from "@microseg/core";
import {
  blastRadius,
  buildReachGraph,
  estateExposure,
  type FlowEdge,
  replay,
} from "@microseg/insight";
import { ApiError } from "@microseg/protocol";
import { replayWire } from "../use-cases/insight-wire.js";
import { policyRefusal } from "../use-cases/policy-refusal.js";
import { parsePolicyText } from "../use-cases/policy-text.js";
import { type DraftSource, type PolicyModel, withDeclared } from "./inventory.js";

export interface ReplayJobInput {
  readonly draft: DraftSource;
  /** How the draft is named in a refusal ("the draft given", "the saved draft"). */
  readonly label: string;
  readonly active: Policy;
  /** The active inventory (hub.workloads()). */
  readonly workloads: readonly Workload[];
  readonly edges: readonly FlowEdge[];
  readonly groupBy?: string;
}

export function replayDraft(input: ReplayJobInput) {
  const draft = draftModel(input.draft, input.workloads, input.label);
  const report = replay({
    active: input.active,
    draft: draft.policy,
    workloads: withDeclared(input.workloads, draft.workloads),
    edges: input.edges,
    ...(input.groupBy !== undefined && { groupBy: input.groupBy }),
  });
  return replayWire(report);
}

export interface BlastJobInput {
  readonly active: PolicyModel;
  /** The saved draft, when the radius is asked of it. */
  readonly draft?: DraftSource;
  readonly workload: string;
  readonly hops: number;
}

export function blastRadiusJob(input: BlastJobInput) {
  const { active } = input;
  const draft =
    input.draft === undefined
      ? undefined
      : draftModel(input.draft, active.workloads, "the saved draft");
  const chosen =
    draft === undefined
      ? active
      : { policy: draft.policy, workloads: withDeclared(active.workloads, draft.workloads) };
  if (!chosen.workloads.some((w) => w.name === input.workload)) {
    throw new ApiError(
      "MSEG_API_NOT_FOUND",
      `no workload "${input.workload}" (GET /api/v1/workloads lists them)`,
    );
  }
  const activeGraph = buildReachGraph(active.policy, active.workloads);
  const draftGraph = draft && buildReachGraph(chosen.policy, chosen.workloads);
  const radius = blastRadius(draftGraph ?? activeGraph, input.workload, { hops: input.hops });
  return {
    ...radius,
    policy: draft === undefined ? ("active" as const) : ("draft" as const),
    estate: {
      active: estateExposure(activeGraph, input.hops),
      ...(draftGraph !== undefined && { draft: estateExposure(draftGraph, input.hops) }),
    },
  };
}

/** The draft's model; a text that does not load answers MSEG_POLICY_INVALID. */
function draftModel(source: DraftSource, inventory: readonly Workload[], label: string) {
  if ("model" in source) return source.model;
  const parsed = parsePolicyText(source.text, inventory);
  if (parsed.ok) return parsed;
  throw policyRefusal(parsed.diagnostics, label);
}
