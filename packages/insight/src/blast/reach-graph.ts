// The reach graph of a policy: an edge A -> B when the policy lets A open a connection to B on
// some service, with those services. Built once per policy from the compiler's resolution:
//
//   resolve (core) ──> allow rules' consumers x providers ──> candidate pairs + their services
//                                                                   │
//   compiled RuleSets (reduce, core) ──evaluateChain at A out, B in ─┘──> allowed services
//
// Only pairs some allow rule connects (or whose ends are both open by default, e.g. namespaced
// workloads no isolation selects) are evaluated, and each on the services of the rules that
// connect it, never every port of every pair. The verdict is the policy's, ignoring modes, unless
// `respectModes` says to let learn/test ends through as they do on the wire.

import {
  ExplainContext,
  evaluateChain,
  type FamilyRanges,
  type Policy,
  parseAddress,
  type ResolvedSide,
  rangesContain,
  type ServicePort,
  type Workload,
} from "@microseg/core";
import { type Cuts, mergeAllowed, type Probe, policyCuts, probesFor } from "./probes.js";

export interface ReachOptions {
  /** true: a workload in learn or test mode blocks nothing (what the wire does today). */
  readonly respectModes?: boolean;
}

export interface ReachGraph {
  /** Every workload, sorted by name. */
  readonly workloads: readonly string[];
  /** source -> destination -> the services allowed (sorted texts: `tcp/5432`, `any`). */
  readonly edges: ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>;
  /** Ordered pairs with at least one allowed service. */
  readonly pairs: number;
}

type Candidate = Set<ServicePort | "any">;

export function buildReachGraph(
  policy: Policy,
  workloads: readonly Workload[],
  options: ReachOptions = {},
): ReachGraph {
  const ctx = new ExplainContext(policy, workloads);
  const sorted = [...workloads].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const candidates = candidatePairs(ctx, sorted, options);
  const cuts = policyCuts(policy);
  const edges = new Map<string, Map<string, readonly string[]>>();
  let pairs = 0;
  for (const [src, byDst] of candidates) {
    for (const [dst, services] of byDst) {
      const allowed = allowedServices(ctx, src, dst, services, cuts, options);
      if (allowed.length === 0) continue;
      orInsert(edges, src.name, () => new Map<string, readonly string[]>()).set(dst.name, allowed);
      pairs++;
    }
  }
  return { workloads: sorted.map((w) => w.name), edges: sortedEdges(edges), pairs };
}

/** source -> destination -> services of the allow rules (or open defaults) that connect them. */
function candidatePairs(
  ctx: ExplainContext,
  all: readonly Workload[],
  options: ReachOptions,
): Map<Workload, Map<Workload, Candidate>> {
  const out = new Map<Workload, Map<Workload, Candidate>>();
  const add = (a: Workload, b: Workload, s: ServicePort | "any") => {
    if (a === b) return;
    const byDst = orInsert(out, a, () => new Map<Workload, Candidate>());
    orInsert(byDst, b, () => new Set()).add(s);
  };
  for (const r of ctx.res.rules) {
    if (r.rule.action !== "allow") continue;
    const consumers = sideWorkloads(r.from, all, ctx);
    const providers = sideWorkloads(r.to, all, ctx);
    const services: readonly (ServicePort | "any")[] =
      r.rule.services.length === 0 ? ["any"] : r.rule.services;
    for (const a of consumers) for (const b of providers) for (const s of services) add(a, b, s);
  }
  const openOut = all.filter((w) => opens(ctx, w, "outbound", options));
  const openIn = all.filter((w) => opens(ctx, w, "inbound", options));
  for (const a of openOut) for (const b of openIn) add(a, b, "any");
  return out;
}

/** The workloads a rule side covers: selected by label, or owning an address of its CIDRs. */
function sideWorkloads(side: ResolvedSide, all: readonly Workload[], ctx: ExplainContext) {
  if (side.open) return all;
  const names = new Set(side.members);
  if (side.statics.v4.length > 0 || side.statics.v6.length > 0) {
    for (const w of all) if (holdsAny(side.statics, w.addresses)) names.add(w.name);
  }
  return [...names]
    .sort()
    .map((n) => ctx.inventory.get(n))
    .filter((w): w is Workload => w !== undefined);
}

function holdsAny(ranges: FamilyRanges, addresses: readonly string[]): boolean {
  return addresses.some((a) => {
    const p = parseAddress(a);
    return p !== undefined && rangesContain(p.family === 4 ? ranges.v4 : ranges.v6, p.value);
  });
}

/** Does this end let everything through in this direction (no agent, an open default, a mode)? */
function opens(
  ctx: ExplainContext,
  w: Workload,
  dir: "inbound" | "outbound",
  options: ReachOptions,
): boolean {
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

function sortedEdges(edges: Map<string, Map<string, readonly string[]>>) {
  const out = new Map<string, Map<string, readonly string[]>>();
  for (const src of [...edges.keys()].sort()) {
    const byDst = edges.get(src) as Map<string, readonly string[]>;
    out.set(src, new Map([...byDst].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
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
