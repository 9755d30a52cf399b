// The map's graph, composed only from what the controller answered:
//   - the grouped map (GET /api/v1/map?groupBy=KEY) is the base;
//   - an expanded group is replaced by its workloads, whose edges come from the ungrouped map
//     (GET /api/v1/map), each far end folded back into its node in the current picture;
//   - an allowed edge none of whose flows a rule decided is shown as "not covered" (allowed
//     only because nothing enforces there yet), from the flows' `rule` (GET /api/v1/flows);
//   - an edge that is not blocked and none of whose connections the network answered (refused
//     or unanswered) is a failed contact: a scan, a stale configuration, a service that is down.
//     The view hides those unless asked (withoutFailed). Blocked edges are unanswered by nature
//     (the ruleset dropped them) and stay shown.
import type { FlowEdge, MapEdge, MapNode, MapWire } from "../api/types.js";

export type EdgeClass = "allowed" | "blocked" | "would-block" | "not-covered";
export type Outcome = MapEdge["outcome"];
export type Outcomes = MapEdge["outcomes"];

export interface GraphEdge {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly port: string;
  readonly verdict: MapEdge["verdict"];
  readonly shownAs: EdgeClass;
  /** established when any merged edge is, else refused when any is, else unanswered. */
  readonly outcome: Outcome;
  readonly outcomes: Outcomes;
  /** Not blocked, and nothing answered: a failed contact. */
  readonly failed: boolean;
  readonly count: number;
  readonly lastSeen: string;
}

export interface Graph {
  readonly nodes: readonly MapNode[];
  readonly edges: readonly GraphEdge[];
}

/** Which node of `nodes` a workload name or address belongs to (itself, or its group). */
export function nodeIndex(nodes: readonly MapNode[]): (name: string) => string {
  const owner = new Map<string, string>();
  for (const n of nodes) {
    owner.set(n.id, n.id);
    for (const m of n.members ?? []) owner.set(m, n.id);
  }
  return (name) => owner.get(name) ?? name;
}

export function composeGraph(
  grouped: MapWire,
  detailed: MapWire | undefined,
  expanded: ReadonlySet<string>,
  flows: readonly FlowEdge[] | undefined,
): Graph {
  const open = grouped.nodes.filter((n) => n.kind === "group" && expanded.has(n.id));
  const openMembers = new Set(open.flatMap((g) => g.members ?? []));
  const nodes: MapNode[] = grouped.nodes.filter((n) => !open.includes(n));
  if (detailed !== undefined) nodes.push(...detailed.nodes.filter((n) => openMembers.has(n.id)));
  const nodeOf = nodeIndex(nodes);

  const merged = new Map<string, Merged>();
  const add = (e: MapEdge, from: string, to: string) => {
    const key = edgeKey(from, to, e.port, e.verdict);
    const seen = merged.get(key);
    if (seen === undefined) {
      const { count, lastSeen, outcome } = e;
      merged.set(key, { edge: { ...e, from, to }, count, lastSeen, outcome, outcomes: e.outcomes });
    } else {
      seen.count += e.count;
      if (e.lastSeen > seen.lastSeen) seen.lastSeen = e.lastSeen;
      if (RANK[e.outcome] < RANK[seen.outcome]) seen.outcome = e.outcome;
      seen.outcomes = sumOutcomes(seen.outcomes, e.outcomes);
    }
  };
  const touchesOpen = (e: MapEdge) => expanded.has(e.from) || expanded.has(e.to);
  for (const e of grouped.edges) if (!touchesOpen(e)) add(e, e.from, e.to);
  if (detailed !== undefined) {
    for (const e of detailed.edges) {
      if (!openMembers.has(e.from) && !openMembers.has(e.to)) continue;
      add(e, nodeOf(e.from), nodeOf(e.to));
    }
  }
  const covered = coveredKeys(flows, nodeOf);
  const edges = [...merged.values()].map(({ edge, count, lastSeen, outcome, outcomes }) => {
    const key = edgeKey(edge.from, edge.to, edge.port, edge.verdict);
    const shownAs: EdgeClass =
      edge.verdict === "allowed" && covered !== undefined && !covered.has(key)
        ? "not-covered"
        : edge.verdict;
    return {
      id: key,
      from: edge.from,
      to: edge.to,
      port: edge.port,
      verdict: edge.verdict,
      shownAs,
      outcome,
      outcomes,
      failed: edge.verdict !== "blocked" && outcome !== "established",
      count,
      lastSeen,
    };
  });
  return { nodes, edges };
}

/**
 * The graph without its failed contacts, and without the addresses only those touched (a scan
 * from outside would otherwise leave a node per address). Workloads and groups stay: a silent
 * workload is still there.
 */
export function withoutFailed(graph: Graph): Graph {
  const edges = graph.edges.filter((e) => !e.failed);
  const ends = new Set(edges.flatMap((e) => [e.from, e.to]));
  const nodes = graph.nodes.filter((n) => n.kind !== "address" || ends.has(n.id));
  return { nodes, edges };
}

interface Merged {
  readonly edge: MapEdge;
  count: number;
  lastSeen: string;
  outcome: Outcome;
  outcomes: Outcomes;
}

const RANK: Record<Outcome, number> = { established: 0, refused: 1, unanswered: 2 };

function sumOutcomes(a: Outcomes, b: Outcomes): Outcomes {
  return {
    established: a.established + b.established,
    refused: a.refused + b.refused,
    unanswered: a.unanswered + b.unanswered,
  };
}

/** Edge keys (in the current picture) that at least one rule-decided flow falls under. */
function coveredKeys(
  flows: readonly FlowEdge[] | undefined,
  nodeOf: (name: string) => string,
): Set<string> | undefined {
  if (flows === undefined) return undefined;
  const out = new Set<string>();
  for (const f of flows) {
    if (f.rule !== undefined) out.add(edgeKey(nodeOf(f.from), nodeOf(f.to), f.port, f.verdict));
  }
  return out;
}

export function edgeKey(from: string, to: string, port: string, verdict: string): string {
  return `${from}|${to}|${port}|${verdict}`;
}

/** The flows behind one edge of the picture. */
export function flowsOf(
  edge: GraphEdge,
  flows: readonly FlowEdge[],
  nodes: readonly MapNode[],
): FlowEdge[] {
  const nodeOf = nodeIndex(nodes);
  return flows.filter(
    (f) =>
      nodeOf(f.from) === edge.from &&
      nodeOf(f.to) === edge.to &&
      f.port === edge.port &&
      f.verdict === edge.verdict,
  );
}
