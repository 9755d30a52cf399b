// Peer sets: stable names, and normalized contents built from members and static CIDRs.

import {
  type FamilyRanges,
  isEmptyRanges,
  rangesToAddressSet,
  unionRanges,
} from "../addr/index.js";
import { getOrInsert } from "../collections.js";
import { hash64 } from "../hash.js";
import type { Direction } from "../model.js";
import type { AddressSet } from "../ruleset.js";
import type { Inventory } from "./inventory.js";

/**
 * Stable set name from the rule id and direction (plus the port group for named-port splits):
 * membership churn never renames a set. 48 bits of FNV-1a make collisions negligible.
 */
export function setName(ruleId: string, direction: Direction, group = ""): string {
  const prefix = direction === "inbound" ? "i" : "o";
  return `${prefix}_${hash64(`${ruleId}\u0000${direction}\u0000${group}`).slice(0, 12)}`;
}

export interface BuiltSet {
  readonly set: AddressSet;
  readonly empty: boolean;
}

/** Union of the members' own addresses and static ranges, normalized. */
export function buildSet(
  inventory: Inventory,
  members: Iterable<string>,
  statics: FamilyRanges,
): BuiltSet {
  const parts: FamilyRanges[] = [statics];
  for (const name of members) parts.push(inventory.hostRanges(name));
  const ranges = unionRanges(parts);
  return { set: rangesToAddressSet(ranges), empty: isEmptyRanges(ranges) };
}

/** Memoizes sets by a key that determines their content (valid while the inventory is fixed). */
export class SetCache {
  private readonly sets = new Map<string, BuiltSet>();
  get(key: string, build: () => BuiltSet): BuiltSet {
    return getOrInsert(this.sets, key, build);
  }
}
