// The RuleSet of a quarantined workload: deny everything both ways except its forensic
// addresses, in enforce mode whatever the workload's own mode (management traffic is allowed by
// every renderer before any chain entry, so the controller still reaches it). No policy rule
// contributes: peers.ts already keeps a quarantined workload out of every selector match.

import { cidrsToRanges, isEmptyRanges, rangesToAddressSet } from "../addr/index.js";
import type { Workload, WorkloadQuarantine } from "../model.js";
import type { AddressSet, Chain, RuleEntry, RuleSet } from "../ruleset.js";
import { ruleSetHash } from "./ruleset-hash.js";

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
