// The rules of one chain. Layout (see docs/design/nft.md):
//   1. ct state established,related accept        (replies, ICMP errors)
//   2. iif/oif lo accept                           (loopback)
//   3. management, least privilege (ManagementAccess): input: ip/ip6 saddr @mgmt-v4|v6 + each
//      service's ports accept; output: ip/ip6 daddr @mgmt-v4|v6 + the channel's ports accept
//      (the agent's connections to its controller). No other port, either way: a management
//      address is a peer like any other beyond these.
//   4. icmpv6 type { nd-* } accept                 (IPv6 neighbour discovery)
//   5. one rule per (entry, address family, port match), in entry order, each with a counter
//      and the entry's ruleId as comment
//   6. the default: counter + accept, or the mode's treatment of a deny
// A deny in enforce / test mode jumps to the direction's recording chain (flow-recording.ts),
// which records the attempt for the flow collector and drops (enforce) or accepts (test).
// Structure depends only on entries, mode and set names, never on set contents: membership
// churn is element churn (see render-delta.ts).

import type {
  Chain,
  Direction,
  ManagementAccess,
  Mode,
  PortMatch,
  RuleEntry,
} from "@microseg/core";
import * as x from "./exprs.js";
import { flowChainName, flowKindFor } from "./flow-recording.js";
import {
  FIXED_IDS,
  kernelSetNames,
  MANAGEMENT_SETS,
  MAX_LABEL_BYTES,
  truncateUtf8,
} from "./names.js";
import type { NftExpr } from "./wire.js";

/** A rule before table/chain are attached. */
export interface RuleBody {
  readonly expr: readonly NftExpr[];
  readonly comment: string;
}

export interface ChainContext {
  readonly direction: Direction;
  readonly mode: Mode;
  readonly management: ManagementAccess;
}

const ND_TYPES = [
  "nd-router-solicit",
  "nd-router-advert",
  "nd-neighbor-solicit",
  "nd-neighbor-advert",
  "nd-redirect",
];

export function chainRules(chain: Chain, ctx: ChainContext): RuleBody[] {
  return [
    ...fixedRules(ctx.direction, ctx.management),
    ...chain.entries.flatMap((entry) => entryRules(entry, ctx)),
    defaultRule(chain.default, ctx),
  ];
}

function fixedRules(direction: Direction, access: ManagementAccess): RuleBody[] {
  const lo = direction === "inbound" ? "iif" : "oif";
  return [
    { expr: [x.ctStateEstablished(), x.accept], comment: FIXED_IDS.established },
    { expr: [x.interfaceIs(lo, "lo"), x.accept], comment: FIXED_IDS.loopback },
    ...managementRules(direction, access),
    { expr: [x.icmpTypes("icmpv6", ND_TYPES), x.accept], comment: FIXED_IDS.neighbour },
  ];
}

/** Inbound: the services from the management sets; outbound: the channel to them. */
function managementRules(direction: Direction, access: ManagementAccess): RuleBody[] {
  const side: x.Side = direction === "inbound" ? "saddr" : "daddr";
  const ports = direction === "inbound" ? access.services : access.channel;
  const rules: RuleBody[] = [];
  for (const family of ["v4", "v6"] as const) {
    const peer = x.addressInSet(family, side, MANAGEMENT_SETS[family]);
    for (const port of ports) {
      if (!portFitsFamily(port, family)) continue;
      rules.push({ expr: [peer, ...portExprs(port), x.accept], comment: FIXED_IDS.management });
    }
  }
  return rules;
}

const ANY_PORT: PortMatch = { proto: "any" };

function entryRules(entry: RuleEntry, ctx: ChainContext): RuleBody[] {
  const ports = entry.ports.length > 0 ? entry.ports : [ANY_PORT];
  const comment = truncateUtf8(entry.ruleId, MAX_LABEL_BYTES);
  const verdict = verdictFor(entry.action === "allow", ctx);
  const rules: RuleBody[] = [];
  for (const { family, peer } of peerMatches(entry, ctx.direction)) {
    for (const port of ports) {
      if (!portFitsFamily(port, family)) continue;
      const expr = [...(peer ? [peer] : []), ...portExprs(port), x.counter, ...verdict];
      rules.push({ expr, comment });
    }
  }
  return rules;
}

/**
 * A set peer becomes one rule per kernel set (`ip saddr @s_v4`, `ip saddr @s_v4net`,
 * `ip6 saddr @s_v6`, `ip6 saddr @s_v6net`), present even when empty so that the structure
 * never depends on membership. `any`: no address match at all.
 */
function peerMatches(
  entry: RuleEntry,
  direction: Direction,
): { family?: x.Family; peer?: NftExpr }[] {
  if (!("set" in entry.peer)) return [{}];
  const names = kernelSetNames(entry.peer.set);
  const side: x.Side = direction === "inbound" ? "saddr" : "daddr";
  return (["v4", "v4net", "v6", "v6net"] as const).map((key) => {
    const family = key.startsWith("v4") ? "v4" : "v6";
    return { family, peer: x.addressInSet(family, side, names[key]) };
  });
}

/** ICMP only exists for IPv4, ICMPv6 only for IPv6: skip the rule of the other family. */
function portFitsFamily(port: PortMatch, family: x.Family | undefined): boolean {
  if (port.proto === "icmp") return family !== "v6";
  if (port.proto === "icmpv6") return family !== "v4";
  return true;
}

function portExprs(port: PortMatch): NftExpr[] {
  switch (port.proto) {
    case "any":
      return [];
    case "icmp":
    case "icmpv6":
      return port.types && port.types.length > 0
        ? [x.icmpTypes(port.proto, port.types)]
        : [x.l4proto(port.proto === "icmp" ? "icmp" : "ipv6-icmp")];
    default:
      return [x.l4proto(port.proto), x.destinationPorts(port.ranges)];
  }
}

/**
 * What a matching packet gets. Allowed: accept. Denied: enforce and test jump to the recording
 * chain of their kind and direction (`flow-deny-in` drops, `flow-wb-in` accepts); learn only
 * counts and accepts.
 */
function verdictFor(allowed: boolean, ctx: ChainContext): NftExpr[] {
  const kind = flowKindFor(ctx.mode);
  if (allowed || !kind) return [x.accept];
  return [x.jump(flowChainName(kind, ctx.direction))];
}

function defaultRule(kind: Chain["default"], ctx: ChainContext): RuleBody {
  const verdict = verdictFor(kind === "allow", ctx);
  return { expr: [x.counter, ...verdict], comment: FIXED_IDS.default };
}
