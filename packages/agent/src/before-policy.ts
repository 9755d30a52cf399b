// What the agent enforces before it has ever received a policy (no last good one stored):
// `deny` (default) drops everything except loopback, established/related and the agent's own
// channel to its controller (TCP to the controller's addresses on its URL's port: the dataplane
// always adds it, see management.ts), so the agent can still enrol and fetch its policy;
// nothing else of the controller's addresses gets in or out. `allow` lets everything through.
// Either way the table exists, so tamper detection works from the first second.

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
