// Incremental compile. Keeps the resolution (rule sides' members and sets, the workload -> rules
// index) and, on a workload change, re-evaluates only that workload against each rule; sets are
// rebuilt for sides it entered, left or changed addresses in, and only the workloads holding
// those sets (plus the changed workload) are reduced again. A policy change resolves afresh.
// Invariant (tested with random change sequences): all() equals compile() of the current state.

import { type FamilyRanges, isEmptyRanges, unionRanges } from "../addr/index.js";
import type { Policy, Workload } from "../model.js";
import type { AddressSet, RuleEntry, RuleSet } from "../ruleset.js";
import { reduceAll } from "./compile.js";
import { Inventory } from "./inventory.js";
import { sideSelects } from "./peers.js";
import { admittedQuarantined, QUARANTINE_PEER_RULE, quarantinedRanges } from "./quarantine.js";
import { reduce } from "./reduce.js";
import {
  membership,
  namedGroups,
  type Resolution,
  type ResolvedRule,
  type ResolvedSide,
  resolve,
} from "./resolve.js";
import { buildSet, SetCache } from "./sets.js";

export type Change =
  | { readonly kind: "upsert-workload"; readonly workload: Workload }
  | { readonly kind: "remove-workload"; readonly name: string }
  | { readonly kind: "set-policy"; readonly policy: Policy };

export interface CompileDelta {
  /** RuleSets whose hash changed (or that are new). */
  readonly changed: ReadonlyMap<string, RuleSet>;
  /** Workloads that no longer have a RuleSet. */
  readonly removed: readonly string[];
}

/** What one batch of workload changes touched. */
interface Dirty {
  readonly workloads: Set<string>;
  readonly sides: Set<ResolvedSide>;
  /** Rules whose consumer set changed: their providers need reducing. */
  readonly inRules: Set<ResolvedRule>;
  /** Rules whose provider set or named groups changed: their consumers need reducing. */
  readonly outRules: Set<ResolvedRule>;
  readonly named: Set<ResolvedRule>;
}

/** Incremental compiler: state = policy + workloads; apply() recompiles only what changed. */
export class Compiler {
  private policy: Policy;
  private readonly inventory: Inventory;
  private res: Resolution;
  private out: Map<string, RuleSet>;

  constructor(policy: Policy, workloads: readonly Workload[]) {
    this.policy = policy;
    this.inventory = new Inventory(workloads);
    this.res = resolve(policy, this.inventory);
    this.out = reduceAll(this.res, this.inventory);
  }

  apply(changes: readonly Change[]): CompileDelta {
    let policyChanged = false;
    const dirty: Dirty = {
      workloads: new Set(),
      sides: new Set(),
      inRules: new Set(),
      outRules: new Set(),
      named: new Set(),
    };
    let quarantineTouched = false;
    for (const c of changes) {
      if (c.kind === "set-policy") {
        this.policy = c.policy;
        policyChanged = true;
        continue;
      }
      const name = c.kind === "upsert-workload" ? c.workload.name : c.name;
      const old = this.inventory.get(name);
      const next = c.kind === "upsert-workload" ? c.workload : undefined;
      if (old?.quarantine !== undefined || next?.quarantine !== undefined) quarantineTouched = true;
      if (next === undefined) this.inventory.remove(name);
      else this.inventory.upsert(next);
      dirty.workloads.add(name);
      if (!policyChanged) this.track(name, old, next, dirty);
    }
    if (policyChanged) return this.rebuild();
    this.refresh(dirty);
    const names = this.affected(dirty);
    if (quarantineTouched) this.requarantine(names);
    return this.reduceAffected(names);
  }

  /**
   * Recomputes the quarantined addresses; when they changed, every workload whose RuleSet has
   * an allow entry admitting an old or a new one is reduced again (its guard entries change).
   */
  private requarantine(names: Set<string>) {
    const before = this.res.quarantined;
    const after = quarantinedRanges(this.inventory.byName.values());
    if (sameRanges(before, after)) return;
    this.res.quarantined = after;
    const either = unionRanges([before, after]);
    // Built sets are shared between RuleSets: each is intersected once.
    const overlaps = new Map<AddressSet, boolean>();
    for (const [name, rs] of this.out) {
      const touches = (e: RuleEntry) => {
        if (e.ruleId === QUARANTINE_PEER_RULE) return true;
        if (e.action !== "allow") return false;
        if ("any" in e.peer) return true;
        const set = rs.sets[e.peer.set];
        if (set === undefined) return false;
        let hit = overlaps.get(set);
        if (hit === undefined) {
          hit = !isEmptyRanges(admittedQuarantined(e, () => set, either));
          overlaps.set(set, hit);
        }
        return hit;
      };
      if (rs.inbound.entries.some(touches) || rs.outbound.entries.some(touches)) names.add(name);
    }
  }

  get(name: string): RuleSet | undefined {
    return this.out.get(name);
  }

  /** Every current RuleSet (map order is not significant). */
  all(): ReadonlyMap<string, RuleSet> {
    return this.out;
  }

  /** Re-evaluates one workload against every rule side and records what it touched. */
  private track(name: string, old: Workload | undefined, next: Workload | undefined, d: Dirty) {
    const addrChanged = !sameList(old?.addresses, next?.addresses);
    const portsChanged = namedPortsKey(old) !== namedPortsKey(next);
    for (const r of this.res.rules) {
      for (const dir of ["from", "to"] as const) {
        const side = r[dir];
        const hasNamed = dir === "to" && !r.plan.all && r.plan.named.length > 0;
        if (side.open) {
          if (hasNamed) d.named.add(r);
          continue;
        }
        const was = side.members.has(name);
        const is = next !== undefined && sideSelects(r.rule[dir], r.rule.scope, next);
        if (was !== is) this.setMember(r, dir, name, is);
        if (was !== is || (is && addrChanged)) {
          d.sides.add(side);
          (dir === "from" ? d.inRules : d.outRules).add(r);
        }
        if (hasNamed && (was || is) && (was !== is || addrChanged || portsChanged)) d.named.add(r);
      }
    }
  }

  private setMember(r: ResolvedRule, dir: "from" | "to", name: string, is: boolean) {
    const m = membership(this.res.memberOf, name);
    const index = dir === "from" ? m.out : m.in;
    if (is) {
      r[dir].members.add(name);
      index.add(r.index);
    } else {
      r[dir].members.delete(name);
      index.delete(r.index);
    }
  }

  /** Rebuilds dirty sets (sides with equal keys have equal members, so share one build). */
  private refresh(d: Dirty) {
    const cache = new SetCache();
    for (const side of d.sides) {
      side.built = cache.get(side.key, () => buildSet(this.inventory, side.members, side.statics));
    }
    for (const r of d.named) {
      r.namedGroups = namedGroups(r, this.inventory);
      d.outRules.add(r);
    }
  }

  private affected(d: Dirty): Set<string> {
    const names = new Set(d.workloads);
    const addAll = (side: ResolvedSide) => {
      const from = side.open ? this.inventory.byName.keys() : side.members;
      for (const n of from) names.add(n);
    };
    for (const r of d.inRules) addAll(r.to);
    for (const r of d.outRules) addAll(r.from);
    return names;
  }

  private reduceAffected(names: Iterable<string>): CompileDelta {
    const changed = new Map<string, RuleSet>();
    const removed: string[] = [];
    for (const name of names) {
      const w = this.inventory.get(name);
      if (w === undefined || !w.managed) {
        if (this.out.delete(name)) removed.push(name);
        continue;
      }
      const rs = reduce(this.res, w);
      if (this.out.get(name)?.hash !== rs.hash) changed.set(name, rs);
      this.out.set(name, rs);
    }
    return { changed, removed: removed.sort() };
  }

  private rebuild(): CompileDelta {
    this.res = resolve(this.policy, this.inventory);
    const next = reduceAll(this.res, this.inventory);
    const changed = new Map<string, RuleSet>();
    for (const [name, rs] of next) {
      if (this.out.get(name)?.hash !== rs.hash) changed.set(name, rs);
    }
    const removed = [...this.out.keys()].filter((n) => !next.has(n)).sort();
    this.out = next;
    return { changed, removed };
  }
}

function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && [...a].sort().join() === [...b].sort().join();
}

function namedPortsKey(w: Workload | undefined): string {
  const np = w?.namedPorts ?? {};
  return JSON.stringify(
    Object.keys(np)
      .sort()
      .map((k) => [k, np[k]]),
  );
}

function sameRanges(a: FamilyRanges, b: FamilyRanges): boolean {
  const same = (x: FamilyRanges["v4"], y: FamilyRanges["v4"]) =>
    x.length === y.length && x.every((r, i) => r.lo === y[i]?.lo && r.hi === y[i]?.hi);
  return same(a.v4, b.v4) && same(a.v6, b.v6);
}
