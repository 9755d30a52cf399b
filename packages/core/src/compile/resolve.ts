// Phase one: resolve a policy against the inventory, once per revision. For every rule: the
// workloads each side selects, the side's normalized peer set, and the named-port groups of its
// providers. Phase two (reduce.ts) picks a workload's rules from this without rescanning.

import { EMPTY_RANGES, type FamilyRanges, ipBlockRanges, unionRanges } from "../addr/index.js";
import { getOrInsert } from "../collections.js";
import { ACTION_PRECEDENCE, type Peer, type Policy, type Rule, type Selector } from "../model.js";
import type { AddressSet, PortMatch } from "../ruleset.js";
import type { Inventory } from "./inventory.js";
import { isOpenAny, peerKey, peerSelects, sideKey } from "./peers.js";
import { planServices, portsKey, resolveNamed, type ServicePlan, toPortMatches } from "./ports.js";
import { quarantinedRanges } from "./quarantine.js";
import { type BuiltSet, buildSet, SetCache, setName } from "./sets.js";

export interface ResolvedSide {
  readonly key: string;
  /** An unscoped `any`: every address; `members` is then left empty. */
  readonly open: boolean;
  readonly members: Set<string>;
  readonly statics: FamilyRanges;
  built: BuiltSet;
}

/** Providers that resolve the rule's named ports to the same ports, for the consumer's split. */
export interface NamedGroup {
  readonly ports: readonly PortMatch[];
  readonly setName: string;
  readonly set: AddressSet;
}

export interface ResolvedRule {
  readonly rule: Rule;
  readonly index: number;
  /** Sort key: precedence tier, then policy order. */
  readonly order: number;
  readonly plan: ServicePlan;
  readonly from: ResolvedSide;
  readonly to: ResolvedSide;
  readonly inSet: string;
  readonly outSet: string;
  namedGroups: readonly NamedGroup[];
}

export interface Membership {
  readonly out: Set<number>;
  readonly in: Set<number>;
}

export interface Resolution {
  readonly policy: Policy;
  readonly rules: readonly ResolvedRule[];
  readonly ruleById: ReadonlyMap<string, ResolvedRule>;
  /** workload name -> indexes of rules where it is a consumer (out) / provider (in). */
  readonly memberOf: Map<string, Membership>;
  /** Rules whose from (to) is an unscoped any: they hold for every workload. */
  readonly openFrom: readonly number[];
  readonly openTo: readonly number[];
  /** Every quarantined workload's addresses (the incremental compiler keeps it current). */
  quarantined: FamilyRanges;
}

export function resolve(policy: Policy, inventory: Inventory): Resolution {
  const cache = new SetCache();
  const selected = new Map<string, string[]>();
  const rules = policy.rules.map((rule, index) => {
    const from = resolveSide(policy, inventory, rule.from, rule.scope, cache, selected);
    const to = resolveSide(policy, inventory, rule.to, rule.scope, cache, selected);
    return newResolvedRule(rule, index, policy.rules.length, from, to, inventory);
  });
  const memberOf = new Map<string, Membership>();
  for (const r of rules) {
    for (const n of r.from.members) membership(memberOf, n).out.add(r.index);
    for (const n of r.to.members) membership(memberOf, n).in.add(r.index);
  }
  return {
    policy,
    rules,
    ruleById: new Map(rules.map((r) => [r.rule.id, r])),
    memberOf,
    openFrom: rules.filter((r) => r.from.open).map((r) => r.index),
    openTo: rules.filter((r) => r.to.open).map((r) => r.index),
    quarantined: quarantinedRanges(inventory.byName.values()),
  };
}

export function membership(map: Map<string, Membership>, name: string): Membership {
  return getOrInsert(map, name, () => ({ out: new Set<number>(), in: new Set<number>() }));
}

export function newResolvedRule(
  rule: Rule,
  index: number,
  ruleCount: number,
  from: ResolvedSide,
  to: ResolvedSide,
  inventory: Inventory,
): ResolvedRule {
  const r: ResolvedRule = {
    rule,
    index,
    order: ACTION_PRECEDENCE.indexOf(rule.action) * ruleCount + index,
    plan: planServices(rule.services),
    from,
    to,
    inSet: setName(rule.id, "inbound"),
    outSet: setName(rule.id, "outbound"),
    namedGroups: [],
  };
  r.namedGroups = namedGroups(r, inventory);
  return r;
}

function resolveSide(
  policy: Policy,
  inventory: Inventory,
  peers: readonly Peer[],
  scope: Selector | undefined,
  cache: SetCache,
  selected: Map<string, string[]>,
): ResolvedSide {
  const key = sideKey(peers, scope);
  const statics = staticRanges(policy, peers);
  if (isOpenAny(peers, scope)) {
    return {
      key,
      open: true,
      members: new Set(),
      statics,
      built: { set: EMPTY_SET, empty: false },
    };
  }
  const members = new Set<string>();
  for (const p of peers) {
    if (p.kind === "ipList" || p.kind === "cidrs") continue;
    const pk = peerKey(p, scope);
    const names = getOrInsert(selected, pk, () => selectWorkloads(inventory, p, scope));
    for (const n of names) members.add(n);
  }
  const built = cache.get(key, () => buildSet(inventory, members, statics));
  return { key, open: false, members, statics, built };
}

const EMPTY_SET: AddressSet = { v4: [], v6: [] };

export function selectWorkloads(inv: Inventory, p: Peer, scope: Selector | undefined): string[] {
  const sel = p.kind === "workloads" ? p.selector : undefined;
  const out: string[] = [];
  for (const name of inv.candidates([sel, scope])) {
    const w = inv.get(name);
    if (w !== undefined && peerSelects(p, scope, w)) out.push(name);
  }
  return out;
}

/** ipList and cidrs peers: include minus except, exactly. Unknown ipLists contribute nothing. */
export function staticRanges(policy: Policy, peers: readonly Peer[]): FamilyRanges {
  const parts: FamilyRanges[] = [EMPTY_RANGES];
  for (const p of peers) {
    if (p.kind === "cidrs") parts.push(ipBlockRanges(p.include, p.except));
    if (p.kind === "ipList") {
      const list = policy.ipLists[p.name];
      if (list !== undefined) parts.push(ipBlockRanges(list.include, list.except));
    }
  }
  return parts.length === 1 ? EMPTY_RANGES : unionRanges(parts.slice(1));
}

/**
 * Named ports at the consumer: providers grouped by the ports their names resolve to, one set per
 * group. A provider lacking the name is not reachable through it; addresses never resolve names.
 * A quarantined provider is in no group.
 */
export function namedGroups(r: ResolvedRule, inventory: Inventory): NamedGroup[] {
  if (r.plan.all || r.plan.named.length === 0) return [];
  const groups = new Map<string, { ports: PortMatch[]; members: string[] }>();
  const candidates = r.to.open ? inventory.byName.keys() : r.to.members;
  for (const name of candidates) {
    const w = inventory.get(name);
    const resolved =
      w === undefined || w.quarantine !== undefined ? [] : resolveNamed(r.plan.named, w);
    if (resolved.length === 0) continue;
    const ports = toPortMatches(resolved);
    const key = portsKey(ports);
    const g = groups.get(key);
    if (g === undefined) groups.set(key, { ports, members: [name] });
    else g.members.push(name);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, g]) => ({
      ports: g.ports,
      setName: setName(r.rule.id, "outbound", key),
      set: buildSet(inventory, g.members, EMPTY_RANGES).set,
    }));
}
