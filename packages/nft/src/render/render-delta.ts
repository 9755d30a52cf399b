// Element-only updates. When two RuleSets render to the same table structure (same mode,
// chains, entries and set names) they differ only in set elements, and the update is a list of
// `delete element` then `add element` commands: O(changed elements), independent of set size.
// Deletes come first so a prefix can be replaced by an overlapping one in the same transaction.
// Contract: applying renderDelta(prev, next) on top of renderRuleSet(prev) gives exactly the
// kernel state of renderRuleSet(next) (a privileged test checks it on a real kernel).

import type { RuleSet } from "@microseg/core";
import { toElements } from "./elements.js";
import { DEFAULT_TABLE } from "./names.js";
import { kernelSets, type RenderOptions } from "./render-ruleset.js";
import type { NftCommand, NftDocument } from "./wire.js";

/** undefined when the structure differs: the caller must do a full apply. */
export function renderDelta(
  prev: RuleSet,
  next: RuleSet,
  options: RenderOptions = {},
): NftDocument | undefined {
  if (structureKey(prev) !== structureKey(next)) return undefined;
  const table = options.table ?? DEFAULT_TABLE;
  const before = new Map(kernelSets(prev, options.management).map((s) => [s.name, s.cidrs]));
  const deletes: NftCommand[] = [];
  const adds: NftCommand[] = [];
  for (const set of kernelSets(next, options.management)) {
    const old = before.get(set.name) ?? [];
    const gone = difference(old, set.cidrs);
    const added = difference(set.cidrs, old);
    const target = { family: "inet", table, name: set.name } as const;
    if (gone.length > 0)
      deletes.push({ delete: { element: { ...target, elem: toElements(gone) } } });
    if (added.length > 0) adds.push({ add: { element: { ...target, elem: toElements(added) } } });
  }
  return { nftables: [...deletes, ...adds] };
}

function difference(a: readonly string[], b: readonly string[]): string[] {
  const other = new Set(b);
  return a.filter((cidr) => !other.has(cidr));
}

/** Everything that shapes the table except set contents. */
function structureKey(ruleSet: RuleSet): string {
  return stableJson({
    mode: ruleSet.mode,
    inbound: ruleSet.inbound,
    outbound: ruleSet.outbound,
    sets: Object.keys(ruleSet.sets).sort(),
  });
}

/** JSON with object keys sorted, so key order never makes two equal values differ. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
