// The RuleSet: the backend-neutral, per-workload output of the compiler. Renderers (nftables,
// iptables, Kubernetes, cloud security groups) consume only this.
//
// Shape rules (firm):
// - Peers live in named address sets, never one entry per peer: the number of entries depends on
//   the number of rules that apply to the workload, not on how many workloads they match.
// - Set names are derived from the rule id and direction, so they stay stable while membership
//   churns; membership changes only touch set elements.
// - `hash` is a content hash of everything else: equal hash <=> nothing to apply.

import type { Action, Direction, Mode } from "./model.js";

/** Normalized addresses: sorted, non-overlapping CIDRs (`198.18.0.10/32`) per family. */
export interface AddressSet {
  readonly v4: readonly string[];
  readonly v6: readonly string[];
}

/**
 * What the management addresses (the controller's) may do on a workload, beside the policy.
 * Nothing else is allowed to or from them: they get no port the policy does not give them.
 * - `channel`: the agent's own connections to the controller (outbound, to a management address
 *   on these ports; the answers come back as established traffic). TCP ports.
 * - `services`: what the management addresses may reach on the workload (inbound, these ports
 *   only), e.g. ssh for operators; empty by default.
 */
export interface ManagementAccess {
  readonly channel: readonly PortMatch[];
  readonly services: readonly PortMatch[];
}

export const NO_MANAGEMENT_ACCESS: ManagementAccess = { channel: [], services: [] };

/** What an entry matches at layer 4. Empty `RuleEntry.ports` means every protocol and port. */
export type PortMatch =
  | {
      readonly proto: "tcp" | "udp" | "sctp";
      readonly ranges: readonly (readonly [number, number])[];
    }
  | { readonly proto: "icmp" | "icmpv6"; readonly types?: readonly number[] }
  | { readonly proto: "any" };

export interface RuleEntry {
  /** The policy rule this entry came from (Rule.id); explain and counters use it. */
  readonly ruleId: string;
  readonly action: Action;
  /** The remote side: source addresses for inbound, destination addresses for outbound. */
  readonly peer: { readonly set: string } | { readonly any: true };
  readonly ports: readonly PortMatch[];
}

export interface Chain {
  /** What happens to traffic no entry matches (before the mode is taken into account). */
  readonly default: "allow" | "deny";
  /** Ordered by precedence (override-deny, allow, deny), then by rule order in the policy. */
  readonly entries: readonly RuleEntry[];
}

export interface RuleSet {
  readonly workload: string;
  readonly mode: Mode;
  /** The workload's own addresses. */
  readonly addresses: readonly string[];
  readonly inbound: Chain;
  readonly outbound: Chain;
  /** Named address sets referenced by entries. */
  readonly sets: Readonly<Record<string, AddressSet>>;
  /** Content hash (hex) over everything above. */
  readonly hash: string;
}

export type ChainName = Direction;
