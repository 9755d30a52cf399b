// Blast radius: from one workload, what an attacker who holds it can reach in up to k hops under a
// policy, with the shortest path to each target and the services that make each hop possible;
// and the estate-wide figure (reachable workloads per workload) to compare a draft with today.

import { MicrosegError } from "@microseg/core";
import type { ReachGraph } from "./reach-graph.js";

export const DEFAULT_HOPS = 3;

export interface BlastHop {
  readonly from: string;
  readonly to: string;
  /** The services the policy allows on this hop (`tcp/5432`, `any`). */
  readonly services: readonly string[];
}

export interface BlastTarget {
  readonly workload: string;
  /** The fewest hops needed (1 = directly). */
  readonly hops: number;
  /** One shortest path, source first, target last (the smallest names at each step). */
  readonly path: readonly string[];
  readonly via: readonly BlastHop[];
}

export interface BlastRadius {
  readonly workload: string;
  readonly hops: number;
  /** Sorted by hops, then by name. */
  readonly reachable: readonly BlastTarget[];
  /** How many targets first become reachable at hop 1, 2, ... k. */
  readonly perHop: readonly number[];
}

/**
 * The targets reachable from `workload` in up to `hops` hops (default 3). Throws
 * MSEG_POLICY_UNDEFINED_REFERENCE for a workload the graph does not know. Stable signature: the
 * detectors call it for a workload they raise an alert about.
 */
export function blastRadius(
  graph: ReachGraph,
  workload: string,
  options: { readonly hops?: number } = {},
): BlastRadius {
  if (!graph.workloads.includes(workload)) {
    throw new MicrosegError(
      "MSEG_POLICY_UNDEFINED_REFERENCE",
      `no workload is named "${workload}"; name a workload of the inventory`,
    );
  }
  const hops = options.hops ?? DEFAULT_HOPS;
  const parent = bfs(graph, workload, hops);
  const reachable: BlastTarget[] = [];
  for (const [name, { depth }] of parent) {
    if (name === workload) continue;
    const path = pathTo(parent, name);
    const via = path.slice(1).map((to, i) => {
      const from = path[i] as string;
      return { from, to, services: graph.edges.get(from)?.get(to) ?? [] };
    });
    reachable.push({ workload: name, hops: depth, path, via });
  }
  reachable.sort((a, b) => a.hops - b.hops || (a.workload < b.workload ? -1 : 1));
  const perHop = Array.from({ length: hops }, (_, i) => reachable.filter((t) => t.hops === i + 1));
  return { workload, hops, reachable, perHop: perHop.map((l) => l.length) };
}

/** Breadth-first from `start`, neighbours in name order: name -> depth and predecessor. */
function bfs(graph: ReachGraph, start: string, hops: number) {
  const seen = new Map<string, { depth: number; prev?: string }>([[start, { depth: 0 }]]);
  let frontier = [start];
  for (let depth = 1; depth <= hops && frontier.length > 0; depth++) {
    const next: string[] = [];
    for (const node of frontier) {
      for (const to of graph.edges.get(node)?.keys() ?? []) {
        if (seen.has(to)) continue;
        seen.set(to, { depth, prev: node });
        next.push(to);
      }
    }
    frontier = next;
  }
  return seen;
}

function pathTo(parent: Map<string, { depth: number; prev?: string }>, target: string): string[] {
  const path = [target];
  let cur = parent.get(target)?.prev;
  while (cur !== undefined) {
    path.unshift(cur);
    cur = parent.get(cur)?.prev;
  }
  return path;
}

export interface EstateExposure {
  readonly hops: number;
  readonly workloads: number;
  /** Ordered pairs (A, B) where B is reachable from A within `hops`. */
  readonly reachablePairs: number;
  /** Ordered pairs with a direct edge (one hop). */
  readonly directPairs: number;
  readonly mean: number;
  readonly max: number;
  /** The workloads reaching `max` targets (at most 10, by name). */
  readonly worst: readonly string[];
}

/** Reachable workloads per workload within `hops` (default 3), over the whole estate. */
export function estateExposure(graph: ReachGraph, hops = DEFAULT_HOPS): EstateExposure {
  let total = 0;
  let max = 0;
  let worst: string[] = [];
  for (const w of graph.workloads) {
    const n = bfs(graph, w, hops).size - 1;
    total += n;
    if (n > max) [max, worst] = [n, [w]];
    else if (n === max && n > 0) worst.push(w);
  }
  const count = graph.workloads.length;
  return {
    hops,
    workloads: count,
    reachablePairs: total,
    directPairs: graph.pairs,
    mean: count === 0 ? 0 : Math.round((total / count) * 100) / 100,
    max,
    worst: worst.slice(0, 10),
  };
}
