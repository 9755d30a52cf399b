// Replay: recorded flow edges judged by the active policy and by a draft, on today's inventory.
// An edge is newly blocked when the active policy allows it and the draft denies it (policy
// semantics, ignoring modes), newly allowed the other way round; each changed edge also says what
// the draft would do on the wire given the ends' modes (blocked, would-block, allowed).
//
//   edges ──explainEndpoints(active)──┐
//         ──explainEndpoints(draft)───┴──> changed edges ──> by rule, by application

import {
  type Decision,
  ExplainContext,
  explainEndpoints,
  type Policy,
  type Workload,
} from "@microseg/core";
import type { FlowEdge } from "../flow.js";
import { byEdgeKey, flowEndpoint } from "./endpoints.js";

export interface ReplayInput {
  readonly active: Policy;
  readonly draft: Policy;
  readonly workloads: readonly Workload[];
  readonly edges: readonly FlowEdge[];
  /** The label that names an application when grouping (default `app`). */
  readonly groupBy?: string;
}

export interface Judgement {
  readonly policy: "allow" | "deny";
  /** The rules that decided at the ends; `(default)` when a chain default did. */
  readonly rules: readonly string[];
  /** What the wire does with the ends' current modes. */
  readonly verdict: "allowed" | "blocked" | "would-block";
}

export interface ReplayedEdge {
  readonly edge: FlowEdge;
  readonly before: Judgement;
  readonly after: Judgement;
}

export interface ReplayGroup {
  readonly key: string;
  readonly edges: number;
  readonly connections: number;
}

export interface ReplayChange {
  readonly edges: number;
  readonly connections: number;
  readonly list: readonly ReplayedEdge[];
  /** Newly blocked: by the rule that allowed the edge before; newly allowed: by the rule now. */
  readonly byRule: readonly ReplayGroup[];
  /**
   * The other side: newly blocked by what denies it now, newly allowed by what denied it before
   * (a deny rule, or `(default)` when no rule matched).
   */
  readonly byDenyingRule: readonly ReplayGroup[];
  /** By `<source app> -> <destination app>`. */
  readonly byApplication: readonly ReplayGroup[];
}

export interface ReplayReport {
  readonly edges: number;
  readonly connections: number;
  readonly newlyBlocked: ReplayChange;
  readonly newlyAllowed: ReplayChange;
  readonly unchanged: { readonly edges: number; readonly connections: number };
  /** Edges that could not be judged (a workload since deleted, a port explain cannot read). */
  readonly unevaluated: readonly { readonly edge: FlowEdge; readonly reason: string }[];
}

export const DEFAULT_ROLLUP_LABEL = "app";

export function replay(input: ReplayInput): ReplayReport {
  const before = new ExplainContext(input.active, input.workloads);
  const after = new ExplainContext(input.draft, input.workloads);
  const groupBy = input.groupBy ?? DEFAULT_ROLLUP_LABEL;
  const blocked: ReplayedEdge[] = [];
  const allowed: ReplayedEdge[] = [];
  const unevaluated: { edge: FlowEdge; reason: string }[] = [];
  let unchanged = 0;
  let unchangedConnections = 0;
  for (const edge of [...input.edges].sort(byEdgeKey)) {
    const judged = judge(before, after, edge);
    if (typeof judged === "string") {
      unevaluated.push({ edge, reason: judged });
      continue;
    }
    if (judged.before.policy === judged.after.policy) {
      unchanged++;
      unchangedConnections += edge.count;
    } else if (judged.after.policy === "deny") blocked.push(judged);
    else allowed.push(judged);
  }
  const appOf = appNamer(input.workloads, groupBy);
  return {
    edges: input.edges.length,
    connections: input.edges.reduce((n, e) => n + e.count, 0),
    newlyBlocked: change(blocked, (r) => [r.before.rules, r.after.rules], appOf),
    newlyAllowed: change(allowed, (r) => [r.after.rules, r.before.rules], appOf),
    unchanged: { edges: unchanged, connections: unchangedConnections },
    unevaluated,
  };
}

function judge(
  before: ExplainContext,
  after: ExplainContext,
  edge: FlowEdge,
): ReplayedEdge | string {
  try {
    const b = decide(before, edge);
    const a = decide(after, edge);
    return { edge, before: judgement(b), after: judgement(a) };
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

function decide(ctx: ExplainContext, edge: FlowEdge): Decision {
  return explainEndpoints(ctx, flowEndpoint(ctx, edge.from), flowEndpoint(ctx, edge.to), edge.port);
}

/** The rules that made the decision: the denying ends' when it denies, else the allowing ends'. */
function judgement(d: Decision): Judgement {
  const deciding = d.steps.filter((s) => s.policy === d.policy);
  const rules = [...new Set(deciding.map((s) => s.rule?.id ?? "(default)"))].sort();
  return { policy: d.policy, rules, verdict: d.verdict };
}

function change(
  list: readonly ReplayedEdge[],
  rulesOf: (r: ReplayedEdge) => readonly [allowing: readonly string[], denying: readonly string[]],
  appOf: (name: string, kind: string) => string,
): ReplayChange {
  const byRule = new Map<string, ReplayGroup>();
  const byDenying = new Map<string, ReplayGroup>();
  const byApp = new Map<string, ReplayGroup>();
  for (const r of list) {
    const [allowing, denying] = rulesOf(r);
    for (const rule of allowing) tally(byRule, rule, r.edge.count);
    for (const rule of denying) tally(byDenying, rule, r.edge.count);
    const app = `${appOf(r.edge.from.name, r.edge.from.kind)} -> ${appOf(r.edge.to.name, r.edge.to.kind)}`;
    tally(byApp, app, r.edge.count);
  }
  return {
    edges: list.length,
    connections: list.reduce((n, r) => n + r.edge.count, 0),
    list,
    byRule: sortedGroups(byRule),
    byDenyingRule: sortedGroups(byDenying),
    byApplication: sortedGroups(byApp),
  };
}

function tally(map: Map<string, ReplayGroup>, key: string, connections: number): void {
  const g = map.get(key) ?? { key, edges: 0, connections: 0 };
  map.set(key, { key, edges: g.edges + 1, connections: g.connections + connections });
}

/** Most edges first, then by key. */
function sortedGroups(map: Map<string, ReplayGroup>): ReplayGroup[] {
  return [...map.values()].sort(
    (a, b) => b.edges - a.edges || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
}

function appNamer(workloads: readonly Workload[], key: string) {
  const labels = new Map(workloads.map((w) => [w.name, w.labels]));
  return (name: string, kind: string): string => {
    if (kind === "address") return "(address)";
    return labels.get(name)?.[key] ?? `(no ${key})`;
  };
}
