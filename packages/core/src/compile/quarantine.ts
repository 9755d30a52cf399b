// Quarantine in the compiler, at both ends:
// - The quarantined workload's RuleSet: deny everything both ways except its forensic
//   addresses, in enforce mode whatever the workload's own mode (the renderer keeps the agent's
//   channel to the controller and the management services before any chain entry, so the agent
//   still gets policy; management gets no other port here either). No policy
//   rule contributes: peers.ts already keeps a quarantined workload out of every selector match.
// - Every other workload: an allow entry whose peer is an address (an unscoped `any`, an IP
//   list, CIDRs) could still admit a quarantined workload's address. Right before each such
//   entry goes a deny of exactly the quarantined addresses it would admit, on its ports, so the
//   quarantine holds at the peers even if the quarantined host's own table is gone (an attacker
//   with root there). Entries that admit none get nothing: other RuleSets stay unchanged.

import {
  cidrsToRanges,
  type FamilyRanges,
  intersectFamilyRanges,
  isEmptyRanges,
  rangesToAddressSet,
  unionRanges,
} from "../addr/index.js";
import type { Direction, Workload, WorkloadQuarantine } from "../model.js";
import type { AddressSet, Chain, RuleEntry, RuleSet } from "../ruleset.js";
import { ruleSetHash } from "./ruleset-hash.js";

/** The entry id of a peer's deny of quarantined addresses; explain and counters show it. */
export const QUARANTINE_PEER_RULE = "quarantine";

/** The entry id of the forensic allow; explain and counters show it. */
export const QUARANTINE_FORENSIC_RULE = "quarantine-forensic";
/** The set holding the forensic addresses. */
export const QUARANTINE_FORENSIC_SET = "q_forensic";

export function quarantineRuleSet(w: Workload, q: WorkloadQuarantine): RuleSet {
  const ranges = cidrsToRanges(q.forensic);
  const sets: Record<string, AddressSet> = isEmptyRanges(ranges)
    ? {}
    : { [QUARANTINE_FORENSIC_SET]: rangesToAddressSet(ranges) };
  const entries: RuleEntry[] = isEmptyRanges(ranges)
    ? []
    : [
        {
          ruleId: QUARANTINE_FORENSIC_RULE,
          action: "allow",
          peer: { set: QUARANTINE_FORENSIC_SET },
          ports: [],
        },
      ];
  const chain: Chain = { default: "deny", entries };
  const body = {
    workload: w.name,
    mode: "enforce" as const,
    addresses: [...w.addresses].sort(),
    inbound: chain,
    outbound: chain,
    sets,
  };
  return { ...body, hash: ruleSetHash(body) };
}

/** Every address of every quarantined workload. */
export function quarantinedRanges(workloads: Iterable<Workload>): FamilyRanges {
  const parts: FamilyRanges[] = [];
  for (const w of workloads) {
    if (w.quarantine !== undefined) parts.push(cidrsToRanges(w.addresses));
  }
  return unionRanges(parts);
}

const rangesOfSet = new WeakMap<AddressSet, FamilyRanges>();

/** A set's content as ranges (memoized per set object: built sets are shared). */
export function setRanges(set: AddressSet): FamilyRanges {
  let r = rangesOfSet.get(set);
  if (r === undefined) {
    r = cidrsToRanges([...set.v4, ...set.v6]);
    rangesOfSet.set(set, r);
  }
  return r;
}

/** The quarantined addresses an entry's peer admits (empty: none, or not an allow). */
export function admittedQuarantined(
  e: RuleEntry,
  setOf: (name: string) => AddressSet | undefined,
  quarantined: FamilyRanges,
): FamilyRanges {
  if (e.action !== "allow" || isEmptyRanges(quarantined)) return { v4: [], v6: [] };
  if ("any" in e.peer) return quarantined;
  const set = setOf(e.peer.set);
  return set === undefined
    ? { v4: [], v6: [] }
    : intersectFamilyRanges(quarantined, setRanges(set));
}

/** Puts a deny of the quarantined addresses it admits before each allow entry that admits any. */
export function guardQuarantined(
  entries: readonly RuleEntry[],
  sets: Map<string, AddressSet>,
  quarantined: FamilyRanges,
  direction: Direction,
): RuleEntry[] {
  if (isEmptyRanges(quarantined)) return [...entries];
  const out: RuleEntry[] = [];
  const setOf = (name: string) => sets.get(name);
  for (const e of entries) {
    const admitted = admittedQuarantined(e, setOf, quarantined);
    if (!isEmptyRanges(admitted)) {
      const name =
        "any" in e.peer ? `q_any_${direction === "inbound" ? "i" : "o"}` : `q_${e.peer.set}`;
      sets.set(name, rangesToAddressSet(admitted));
      out.push({
        ruleId: QUARANTINE_PEER_RULE,
        action: "deny",
        peer: { set: name },
        ports: e.ports,
      });
    }
    out.push(e);
  }
  return out;
}
