// Where the ruleset records attempts it judged, for the agent's flow collector to read.
//
// A denied packet (enforce) or a would-be-denied one (test) does not end its rule: the rule
// jumps to a per-direction recording chain that puts the packet's key into a dynamic set with a
// per-element counter and then gives the verdict.
//
//   chain flow-deny-in                 (enforce; flow-wb-in in test mode ends with accept)
//     meta l4proto { tcp, udp } update @flow-deny-in-v4 { ip saddr . ip daddr . meta l4proto . th dport }
//     meta l4proto != { tcp, udp } update @flow-deny-in-v4 { ip saddr . ip daddr . meta l4proto . th sport }
//     (the same two for ip6)
//     counter drop
//
// Key: source . destination . IP protocol . 16 bits of the transport header. For TCP and UDP
// that is the destination port; for every other protocol the first 16 bits (`th sport`), which
// for ICMP / ICMPv6 are type and code (type = value >> 8), and for others are ignored by the
// reader (port 0). One set per family and kind keeps the reader to one listing.
// Each update is its own rule: when a set is full the update fails and ends only its rule, so
// the verdict rule still runs. Elements expire FLOW_SET_TIMEOUT_S after their last hit
// (`update` refreshes the timeout), far above the agent's read period.
// Learn mode judges nothing and has no recording chains; enforce has the deny ones, test the
// would-block ones.

import type { Direction, Mode } from "@microseg/core";
import * as x from "./exprs.js";
import type { NftExpr } from "./wire.js";

export const FLOW_SET_PREFIX = "flow-";
/** Seconds an attempt's element lives after its last hit. */
export const FLOW_SET_TIMEOUT_S = 120;
/** Elements per set: bounds kernel memory under a scan (~128 bytes each). */
export const FLOW_SET_SIZE = 16_384;

export type FlowKind = "deny" | "wb";
export type FlowFamily = "v4" | "v6";

/** `flow-deny-in`, `flow-wb-out`, ... */
export function flowChainName(kind: FlowKind, direction: Direction): string {
  return `${FLOW_SET_PREFIX}${kind}-${direction === "inbound" ? "in" : "out"}`;
}

/** `flow-deny-in-v4`, `flow-wb-out-v6`, ... */
export function flowSetName(kind: FlowKind, direction: Direction, family: FlowFamily): string {
  return `${flowChainName(kind, direction)}-${family}`;
}

/** The recording kind a mode uses for its denials; undefined for learn (nothing judged). */
export function flowKindFor(mode: Mode): FlowKind | undefined {
  if (mode === "enforce") return "deny";
  if (mode === "test") return "wb";
  return undefined;
}

export interface FlowSetDecl {
  readonly name: string;
  readonly type: readonly string[];
  readonly flags: readonly ["timeout"];
  readonly timeout: number;
  readonly size: number;
  readonly stmt: readonly NftExpr[];
}

/** The dynamic sets of one recording chain (v4 and v6). */
export function flowSets(kind: FlowKind, direction: Direction): FlowSetDecl[] {
  return (["v4", "v6"] as const).map((family) => {
    const addr = family === "v4" ? "ipv4_addr" : "ipv6_addr";
    return {
      name: flowSetName(kind, direction, family),
      type: [addr, addr, "inet_proto", "inet_service"],
      // nft 1.0.6 JSON knows no "dynamic" flag; the kernel marks the set dynamic itself because
      // rules update it (the text listing shows `flags dynamic,timeout`).
      flags: ["timeout"],
      timeout: FLOW_SET_TIMEOUT_S,
      size: FLOW_SET_SIZE,
      stmt: [x.counter],
    };
  });
}

const PORT_PROTOCOLS = { set: ["tcp", "udp"] };

/** The rules of one recording chain, in order, ending with a counter and the verdict. */
export function flowChainRules(kind: FlowKind, direction: Direction): NftExpr[][] {
  const rules: NftExpr[][] = [];
  for (const family of ["v4", "v6"] as const) {
    const set = flowSetName(kind, direction, family);
    const protocol = family === "v4" ? "ip" : "ip6";
    const key = (field: "dport" | "sport") => [
      { payload: { protocol, field: "saddr" } },
      { payload: { protocol, field: "daddr" } },
      { meta: { key: "l4proto" } },
      { payload: { protocol: "th", field } },
    ];
    rules.push([
      x.match({ meta: { key: "l4proto" } }, PORT_PROTOCOLS),
      x.updateSet(set, key("dport")),
    ]);
    rules.push([
      x.match({ meta: { key: "l4proto" } }, PORT_PROTOCOLS, "!="),
      x.updateSet(set, key("sport")),
    ]);
  }
  // The counter sees every judged packet: recorded or not (a full set), the agent can tell.
  rules.push([x.counter, kind === "deny" ? x.drop : x.accept]);
  return rules;
}
