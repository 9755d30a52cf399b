// Communities of workloads that talk to each other: Louvain modularity on an undirected graph
// whose edge weight between two workloads grows with the traffic between them (log-damped, so a
// chatty pair does not outweigh the application's structure). Nodes and edges are added in name
// order and the RNG is seeded, so the same input gives the same communities.

import { seededRandom } from "@microseg/core";
import { UndirectedGraph } from "graphology";
import louvainModule from "graphology-communities-louvain";
import type { FlowEdge } from "../flow.js";

export interface CommunityResult {
  /** workload -> community index (0-based, in the order of each community's first member). */
  readonly community: ReadonlyMap<string, number>;
  readonly count: number;
  readonly modularity: number;
}

export function detectCommunities(
  names: readonly string[],
  edges: readonly FlowEdge[],
  options: { seed?: number; resolution?: number } = {},
): CommunityResult {
  const graph = new UndirectedGraph({ allowSelfLoops: false });
  const sorted = [...names].sort();
  for (const n of sorted) graph.addNode(n);
  for (const [a, b, w] of pairWeights(edges, new Set(sorted))) {
    graph.addUndirectedEdge(a, b, { weight: w });
  }
  const detailed = louvain.detailed(graph, {
    rng: seededRandom(options.seed ?? 1),
    resolution: options.resolution ?? 1,
    getEdgeWeight: "weight",
  });
  // No edge at all: Louvain answers NaN; every workload is its own community, modularity 0.
  const modularity = Number.isFinite(detailed.modularity) ? detailed.modularity : 0;
  return { ...renumber(sorted, detailed.communities), modularity };
}

/**
 * The package is CommonJS (`module.exports = louvain`); under NodeNext its typings describe the
 * default import as the module object. Node and Vite hand over `module.exports` itself.
 */
type Louvain = typeof louvainModule.default;
const louvain: Louvain =
  (louvainModule as unknown as { default?: Louvain }).default ??
  (louvainModule as unknown as Louvain);

/** Undirected weights, sorted by pair: sum over services and directions of log2(1 + count). */
export function pairWeights(
  edges: readonly FlowEdge[],
  known: ReadonlySet<string>,
): [string, string, number][] {
  const weights = new Map<string, number>();
  for (const e of edges) {
    if (e.from.kind !== "workload" || e.to.kind !== "workload") continue;
    if (e.from.name === e.to.name || !known.has(e.from.name) || !known.has(e.to.name)) continue;
    const [a, b] = e.from.name < e.to.name ? [e.from.name, e.to.name] : [e.to.name, e.from.name];
    const key = `${a}\u0000${b}`;
    weights.set(key, (weights.get(key) ?? 0) + Math.log2(1 + Math.max(1, e.count)));
  }
  return [...weights.entries()]
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
    .map(([key, w]) => {
      const [a = "", b = ""] = key.split("\u0000");
      return [a, b, w];
    });
}

/** Community ids in the order their first member (by name) appears. */
function renumber(sorted: readonly string[], raw: Record<string, number>) {
  const ids = new Map<number, number>();
  const community = new Map<string, number>();
  for (const n of sorted) {
    const r = raw[n] as number;
    if (!ids.has(r)) ids.set(r, ids.size);
    community.set(n, ids.get(r) as number);
  }
  return { community, count: ids.size };
}
