// What the agent enforces before it has ever received a policy (no last good one stored):
// `deny` (default) drops everything except management, loopback and established/related (the
// renderer always allows those); `allow` lets everything through. Either way the table exists,
// so tamper detection works from the first second.

import type { RuleSet } from "@microseg/core";

export type BeforePolicy = "deny" | "allow";

export function beforePolicyRuleSet(verdict: BeforePolicy): RuleSet {
  return {
    workload: "(before-first-policy)",
    mode: "enforce",
    addresses: [],
    inbound: { default: verdict, entries: [] },
    outbound: { default: verdict, entries: [] },
    sets: {},
    hash: `before-first-policy-${verdict}`,
  };
}
