// RuleSet content hash. Each AddressSet is hashed once (sets are shared between RuleSets) and the
// RuleSet hash covers its canonical JSON with every set replaced by that set's hash: equal
// content <=> equal hash, at a cost independent of how large the shared sets are.

import { hash64 } from "../hash.js";
import type { AddressSet, RuleSet } from "../ruleset.js";

const setHashes = new WeakMap<AddressSet, string>();

export function addressSetHash(set: AddressSet): string {
  let h = setHashes.get(set);
  if (h === undefined) {
    h = hash64(`${set.v4.join(",")};${set.v6.join(",")}`);
    setHashes.set(set, h);
  }
  return h;
}

export function ruleSetHash(rs: Omit<RuleSet, "hash">): string {
  const sets = Object.keys(rs.sets)
    .sort()
    .map((name) => [name, addressSetHash(rs.sets[name] as AddressSet)]);
  return hash64(
    JSON.stringify([rs.workload, rs.mode, rs.addresses, rs.inbound, rs.outbound, sets]),
  );
}
