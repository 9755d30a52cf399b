// Policy recommendation: observed traffic -> a least-privilege native policy draft, checked
// against the traffic it came from.
//
//   edges ──learnableEdges──> allowed / would-block, answered, not a scanner's, not held back
//     ──propose──> rules + ipLists ──renderYaml──> YAML text
//                                                                                │
//   coverage: loadPolicy(YAML) (core) ──explainEndpoints per input edge──> allowed? <┘
//
// Coverage must be 100% of the input edges except those that cannot be expressed (listed with
// the reason); anything else is a defect the property test looks for.

import {
  type Diagnostic,
  ExplainContext,
  explainEndpoints,
  loadPolicy,
  type Policy,
  type Workload,
} from "@microseg/core";
import type { FlowEdge } from "../flow.js";
import {
  type HeldBackSource,
  type LearningFilter,
  type LeftOut,
  learnableEdges,
} from "../learnable.js";
import { flowEndpoint } from "../replay/endpoints.js";
import { type Proposal, type ProposedIpList, type ProposedRule, propose } from "./proposal.js";
import { renderYaml } from "./yaml.js";

/** `scanners` and `heldBack` (LearningFilter) name what is not learned besides failed traffic. */
export interface RecommendInput extends LearningFilter {
  readonly edges: readonly FlowEdge[];
  readonly workloads: readonly Workload[];
  /** Comment lines at the top of the YAML (e.g. the time range it was learned from). */
  readonly header?: readonly string[];
}

export interface Coverage {
  /** Input edges (of the verdicts learned from) and how many the proposal allows. */
  readonly edges: number;
  readonly coveredEdges: number;
  readonly connections: number;
  readonly coveredConnections: number;
  /** coveredEdges / edges in percent, one decimal (100 when there are no edges). */
  readonly percent: number;
  readonly uncovered: readonly { readonly edge: FlowEdge; readonly reason: string }[];
}

export interface Recommendation {
  readonly yaml: string;
  readonly policy: Policy;
  readonly rules: readonly ProposedRule[];
  readonly ipLists: readonly ProposedIpList[];
  readonly coverage: Coverage;
  /** Edges not learned from: the sum of leftOut. */
  readonly ignored: number;
  /** Edges not learned from, by reason (learnable.ts). */
  readonly leftOut: LeftOut;
  /** The sources held back by open alerts, with the alerts' ids. */
  readonly heldBack: readonly HeldBackSource[];
  /** Problems core's loader found in the YAML: always empty unless there is a defect. */
  readonly diagnostics: readonly Diagnostic[];
}

export function recommend(input: RecommendInput): Recommendation {
  const { learned, leftOut, heldBack } = learnableEdges(input.edges, input);
  const proposal = propose(learned, input.workloads);
  const yaml = renderYaml(proposal.rules, proposal.ipLists, input.header);
  const loaded = loadPolicy([{ file: "recommended.yaml", text: yaml }], {
    inventory: input.workloads,
  });
  return {
    yaml,
    policy: loaded.policy,
    rules: proposal.rules,
    ipLists: proposal.ipLists,
    coverage: coverage(loaded.policy, input.workloads, learned, proposal),
    ignored: input.edges.length - learned.length,
    leftOut,
    heldBack,
    diagnostics: loaded.diagnostics,
  };
}

function coverage(
  policy: Policy,
  workloads: readonly Workload[],
  edges: readonly FlowEdge[],
  proposal: Proposal,
): Coverage {
  const ctx = new ExplainContext(policy, workloads);
  const reasons = new Map(proposal.unexpressible.map((u) => [u.edge, u.reason]));
  const uncovered: { edge: FlowEdge; reason: string }[] = [];
  let coveredConnections = 0;
  for (const edge of edges) {
    const reason = reasons.get(edge) ?? denial(ctx, edge);
    if (reason === undefined) coveredConnections += edge.count;
    else uncovered.push({ edge, reason });
  }
  const connections = edges.reduce((n, e) => n + e.count, 0);
  const coveredEdges = edges.length - uncovered.length;
  const percent = edges.length === 0 ? 100 : Math.floor((coveredEdges / edges.length) * 1000) / 10;
  return { edges: edges.length, coveredEdges, connections, coveredConnections, percent, uncovered };
}

/** Why the proposed policy does not allow the edge, or undefined when it does. */
function denial(ctx: ExplainContext, edge: FlowEdge): string | undefined {
  try {
    const src = flowEndpoint(ctx, edge.from);
    const dst = flowEndpoint(ctx, edge.to);
    const d = explainEndpoints(ctx, src, dst, edge.port);
    if (d.policy === "allow") return undefined;
    const at = d.steps.find((s) => s.policy === "deny");
    const noAddress = [src, dst].some((e) => e.workload?.addresses.length === 0);
    const hint = noAddress ? " (a workload without addresses cannot be matched by address)" : "";
    return `the proposal denies it at ${at?.workload ?? "?"}: ${at?.reason ?? "?"}${hint}`;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
