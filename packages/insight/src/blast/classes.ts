// Workloads the policy cannot tell apart, grouped: two workloads are in one class when every rule
// side covers both or neither (by label, or by an address inside its CIDRs/ipList) and their
// ends behave alike (managed, mode when it counts, chain defaults, named ports, quarantine,
// address families). Reachability is then computed once per pair of classes — in a labelled
// estate a few hundred classes instead of thousands of workloads.

import {
  type ExplainContext,
  type FamilyRanges,
  parseAddress,
  type ResolvedSide,
  rangesContain,
  type Workload,
} from "@microseg/core";

export interface PolicyClass {
  readonly id: number;
  /** Sorted by name. */
  readonly members: readonly Workload[];
}

export interface Classes {
  readonly list: readonly PolicyClass[];
  readonly of: ReadonlyMap<string, PolicyClass>;
  /** Per rule index: the classes its `from` / `to` side covers (every class when open). */
  readonly from: readonly (readonly PolicyClass[])[];
  readonly to: readonly (readonly PolicyClass[])[];
}

export function policyClasses(
  ctx: ExplainContext,
  sorted: readonly Workload[],
  respectModes: boolean,
): Classes {
  const parts = new Map<string, string[]>(
    sorted.map((w) => [w.name, [endKey(ctx, w, respectModes)]]),
  );
  const covered = ctx.res.rules.map((r) => ({
    from: sideNames(r.from, sorted),
    to: sideNames(r.to, sorted),
  }));
  covered.forEach((c, i) => {
    for (const n of c.from ?? []) parts.get(n)?.push(`f${i}`);
    for (const n of c.to ?? []) parts.get(n)?.push(`t${i}`);
  });
  const byKey = new Map<string, Workload[]>();
  for (const w of sorted) {
    const key = (parts.get(w.name) as string[]).join(" ");
    const list = byKey.get(key);
    if (list === undefined) byKey.set(key, [w]);
    else list.push(w);
  }
  // sorted input: classes come out ordered by their first member's name
  const list = [...byKey.values()].map((members, id) => ({ id, members }));
  const of = new Map<string, PolicyClass>();
  for (const c of list) for (const m of c.members) of.set(m.name, c);
  const classesOf = (names: Set<string> | undefined) =>
    names === undefined ? list : uniqueClasses(names, of);
  return {
    list,
    of,
    from: covered.map((c) => classesOf(c.from)),
    to: covered.map((c) => classesOf(c.to)),
  };
}

function uniqueClasses(names: Set<string>, of: Map<string, PolicyClass>): PolicyClass[] {
  const seen = new Set<PolicyClass>();
  for (const n of names) {
    const c = of.get(n);
    if (c !== undefined) seen.add(c);
  }
  return [...seen].sort((a, b) => a.id - b.id);
}

/** The names a rule side covers; undefined for an unscoped `any` (everyone). */
function sideNames(side: ResolvedSide, all: readonly Workload[]): Set<string> | undefined {
  if (side.open) return undefined;
  const names = new Set(side.members);
  if (side.statics.v4.length > 0 || side.statics.v6.length > 0) {
    for (const w of all) if (holdsAny(side.statics, w.addresses)) names.add(w.name);
  }
  return names;
}

function holdsAny(ranges: FamilyRanges, addresses: readonly string[]): boolean {
  return addresses.some((a) => {
    const p = parseAddress(a);
    return p !== undefined && rangesContain(p.family === 4 ? ranges.v4 : ranges.v6, p.value);
  });
}

/** What about an end, besides rule coverage, changes how its chains judge a flow. */
function endKey(ctx: ExplainContext, w: Workload, respectModes: boolean): string {
  const families = [...new Set(w.addresses.map((a) => parseAddress(a)?.family ?? 0))].sort();
  const defaults =
    w.namespace === undefined || !w.managed
      ? "native"
      : `${ctx.ruleSet(w).inbound.default}/${ctx.ruleSet(w).outbound.default}`;
  return [
    w.managed ? "m" : "u",
    respectModes ? w.mode : "",
    defaults,
    families.join(""),
    w.quarantine === undefined ? "" : JSON.stringify(w.quarantine),
    w.namedPorts === undefined ? "" : JSON.stringify(w.namedPorts),
  ].join("|");
}
