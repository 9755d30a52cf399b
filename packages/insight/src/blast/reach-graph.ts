// The reach graph of a policy: an edge A -> B when the policy lets A open a connection to B on
// some service, with those services. Built once per policy from the compiler's resolution:
//
//   resolve (core) ──> classes of workloads no rule side tells apart (classes.ts)
//                  ──> allow rules' consumer classes x provider classes ──> candidate class pairs
//                                                                             │
//   compiled RuleSets (reduce, core) ──evaluateChain at A out, B in, one pair of members each ─┘
//
// Only class pairs some allow rule connects (or whose ends are both open by default, e.g.
// namespaced workloads no isolation selects) are evaluated, each on the services of the rules
// that connect it, never every port of every pair. The verdict is the policy's, ignoring modes,
// unless `respectModes` lets learn/test ends through as they do on the wire.

import {
  ExplainContext,
  evaluateChain,
  type Policy,
  parseAddress,
  type ServicePort,
  type Workload,
} from "@microseg/core";
import { type Classes, type PolicyClass, policyClasses } from "./classes.js";
import { type Cuts, mergeAllowed, type Probe, policyCuts, probesFor } from "./probes.js";

export interface ReachOptions {
  /** true: a workload in learn or test mode blocks nothing (what the wire does today). */
  readonly respectModes?: boolean;
}

/** Kept per class pair; read through reach() and the BFS helpers of blast-radius.ts. */
export interface ReachGraph {
  /** Every workload, sorted by name. */
  readonly workloads: readonly string[];
  /** Ordered workload pairs (A != B) with at least one allowed service. */
  readonly pairs: number;
  readonly classes: Classes;
  /** class id -> class id -> services allowed (sorted texts: `tcp/5432`, `any`). */
  readonly next: ReadonlyMap<number, ReadonlyMap<number, readonly string[]>>;
}

type Candidate = Set<ServicePort | "any">;

export function buildReachGraph(
  policy: Policy,
  workloads: readonly Workload[],
  options: ReachOptions = {},
): ReachGraph {
  const ctx = new ExplainContext(policy, workloads);
  const sorted = [...workloads].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const classes = policyClasses(ctx, sorted, options.respectModes === true);
  const cuts = policyCuts(policy);
  const next = new Map<number, Map<number, readonly string[]>>();
  let pairs = 0;
  for (const [x, byY] of candidatePairs(ctx, classes, options)) {
    for (const [y, services] of byY) {
      const a = x.members[0] as Workload;
      const b = x === y ? y.members[1] : y.members[0];
      if (b === undefined) continue;
      const allowed = allowedServices(ctx, a, b, services, cuts, options);
      if (allowed.length === 0) continue;
      orInsert(next, x.id, () => new Map<number, readonly string[]>()).set(y.id, allowed);
      pairs += x.members.length * y.members.length - (x === y ? x.members.length : 0);
    }
  }
  return { workloads: sorted.map((w) => w.name), pairs, classes, next: sortedNext(next) };
}

/** The workloads `from` may open a connection to directly, by name, with the services. */
export function reach(graph: ReachGraph, from: string): Map<string, readonly string[]> {
  const x = graph.classes.of.get(from);
  const out: [string, readonly string[]][] = [];
  for (const [id, services] of (x && graph.next.get(x.id)) ?? []) {
    const y = graph.classes.list[id] as PolicyClass;
    for (const m of y.members) if (m.name !== from) out.push([m.name, services]);
  }
  return new Map(out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** class -> class -> services of the allow rules (or open defaults) that connect them. */
function candidatePairs(
  ctx: ExplainContext,
  classes: Classes,
  options: ReachOptions,
): Map<PolicyClass, Map<PolicyClass, Candidate>> {
  const out = new Map<PolicyClass, Map<PolicyClass, Candidate>>();
  const add = (x: PolicyClass, y: PolicyClass, s: ServicePort | "any") => {
    const byY = orInsert(out, x, () => new Map<PolicyClass, Candidate>());
    orInsert(byY, y, () => new Set()).add(s);
  };
  ctx.res.rules.forEach((r, i) => {
    if (r.rule.action !== "allow") return;
    const services: readonly (ServicePort | "any")[] =
      r.rule.services.length === 0 ? ["any"] : r.rule.services;
    for (const x of classes.from[i] ?? []) {
      for (const y of classes.to[i] ?? []) for (const s of services) add(x, y, s);
    }
  });
  const openOut = classes.list.filter((c) => opens(ctx, c, "outbound", options));
  const openIn = classes.list.filter((c) => opens(ctx, c, "inbound", options));
  for (const x of openOut) for (const y of openIn) add(x, y, "any");
  return out;
}

/** Does this end let everything through in this direction (no agent, an open default, a mode)? */
function opens(
  ctx: ExplainContext,
  c: PolicyClass,
  dir: "inbound" | "outbound",
  options: ReachOptions,
): boolean {
  const w = c.members[0] as Workload;
  if (!w.managed) return true;
  if (options.respectModes === true && w.mode !== "enforce") return true;
  // An open default with some deny entries still lets other ports through: the pair is a
  // candidate and its `any` probe passes (the services then read `any`, an upper bound).
  return ctx.ruleSet(w)[dir].default === "allow";
}

function allowedServices(
  ctx: ExplainContext,
  src: Workload,
  dst: Workload,
  services: Candidate,
  cuts: Cuts,
  options: ReachOptions,
): string[] {
  const [srcAddr, dstAddr] = pairAddresses(src, dst);
  const allowed: Probe[] = [];
  for (const s of services) {
    for (const probe of probesFor(s, dst, cuts)) {
      if (
        endAllows(ctx, src, "outbound", dstAddr, probe, options) &&
        endAllows(ctx, dst, "inbound", srcAddr, probe, options)
      ) {
        allowed.push(probe);
      }
    }
  }
  return mergeAllowed(allowed);
}

function endAllows(
  ctx: ExplainContext,
  w: Workload,
  dir: "inbound" | "outbound",
  remote: string | undefined,
  probe: Probe,
  options: ReachOptions,
): boolean {
  if (!w.managed) return true;
  if (options.respectModes === true && w.mode !== "enforce") return true;
  return evaluateChain(ctx.ruleSet(w), dir, remote, probe.packet).policy === "allow";
}

/** Addresses of one family both ends have (IPv4 preferred), as explain picks them. */
function pairAddresses(a: Workload, b: Workload): [string | undefined, string | undefined] {
  for (const family of [4, 6]) {
    const x = firstOf(a, family);
    const y = firstOf(b, family);
    if (x !== undefined && y !== undefined) return [x, y];
  }
  return [a.addresses[0], b.addresses[0]];
}

function firstOf(w: Workload, family: number): string | undefined {
  return [...w.addresses].sort().find((x) => parseAddress(x)?.family === family);
}

function sortedNext(next: Map<number, Map<number, readonly string[]>>) {
  const out = new Map<number, Map<number, readonly string[]>>();
  for (const x of [...next.keys()].sort((a, b) => a - b)) {
    const byY = next.get(x) as Map<number, readonly string[]>;
    out.set(x, new Map([...byY].sort(([a], [b]) => a - b)));
  }
  return out;
}

function orInsert<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = make();
    map.set(key, v);
  }
  return v;
}
