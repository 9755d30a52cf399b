// Blast radius: from one workload, what an attacker who holds it can reach in up to k hops under a
// policy, with the shortest path to each target and the services that make each hop possible;
// and the estate-wide figure (reachable workloads per workload) to compare a draft with today.

import { MicrosegError } from "@microseg/core";
import type { PolicyClass } from "./classes.js";
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
  const start = graph.classes.of.get(workload);
  if (start === undefined) {
    throw new MicrosegError(
      "MSEG_POLICY_UNDEFINED_REFERENCE",
      `no workload is named "${workload}"; name a workload of the inventory`,
    );
  }
  const hops = options.hops ?? DEFAULT_HOPS;
  const reached = classBfs(graph, start.id, hops);
  const reachable: BlastTarget[] = [];
  for (const [id, { depth }] of reached) {
    const path = classPath(reached, id);
    for (const m of (graph.classes.list[id] as PolicyClass).members) {
      if (m.name === workload) continue;
      const names = [
        workload,
        ...path.slice(0, -1).map((c) => representative(graph, c, workload, m.name)),
        m.name,
      ];
      const via = names.slice(1).map((to, i) => ({
        from: names[i] as string,
        to,
        services:
          graph.next.get(i === 0 ? start.id : (path[i - 1] as number))?.get(path[i] as number) ??
          [],
      }));
      reachable.push({ workload: m.name, hops: depth, path: names, via });
    }
  }
  reachable.sort((a, b) => a.hops - b.hops || (a.workload < b.workload ? -1 : 1));
  const perHop = Array.from({ length: hops }, (_, i) => reachable.filter((t) => t.hops === i + 1));
  return { workload, hops, reachable, perHop: perHop.map((l) => l.length) };
}

type Reached = Map<number, { depth: number; prev: number | null }>;

/**
 * Breadth-first over classes from the start workload's class (classes in id order, which is the
 * order of their first member's name). Every member of a class reached at depth d is reachable
 * in d hops; the start class itself counts only when a path leads back into it.
 */
function classBfs(graph: ReachGraph, start: number, hops: number): Reached {
  const seen: Reached = new Map();
  let frontier: (number | null)[] = [null];
  for (let depth = 1; depth <= hops && frontier.length > 0; depth++) {
    const next: number[] = [];
    for (const c of frontier) {
      for (const to of graph.next.get(c ?? start)?.keys() ?? []) {
        if (seen.has(to)) continue;
        seen.set(to, { depth, prev: c });
        next.push(to);
      }
    }
    frontier = next;
  }
  return seen;
}

/** Class ids from the first hop to `id`. */
function classPath(reached: Reached, id: number): number[] {
  const path = [id];
  let cur = reached.get(id)?.prev ?? null;
  while (cur !== null) {
    path.unshift(cur);
    cur = reached.get(cur)?.prev ?? null;
  }
  return path;
}

/** A class's member standing for it on a path: the first by name that is neither end. */
function representative(graph: ReachGraph, id: number, start: string, target: string): string {
  const members = (graph.classes.list[id] as PolicyClass).members;
  const m = members.find((w) => w.name !== start && w.name !== target) ?? members[0];
  return m?.name ?? "?";
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
  for (const c of graph.classes.list) {
    // every member of a class reaches the same workloads, less itself
    let n = 0;
    for (const [id] of classBfs(graph, c.id, hops)) {
      n += (graph.classes.list[id] as PolicyClass).members.length - (id === c.id ? 1 : 0);
    }
    total += n * c.members.length;
    const names = c.members.map((m) => m.name);
    if (n > max) [max, worst] = [n, names];
    else if (n === max && n > 0) worst.push(...names);
  }
  const count = graph.workloads.length;
  return {
    hops,
    workloads: count,
    reachablePairs: total,
    directPairs: graph.pairs,
    mean: count === 0 ? 0 : Math.round((total / count) * 100) / 100,
    max,
    worst: worst.sort().slice(0, 10),
  };
}
