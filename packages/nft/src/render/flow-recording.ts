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
//
// What the network answered each connection (every mode): two observation chains that give no
// verdict, after the filter chains,
//
//   chain flow-outcome-in { type filter hook input priority 10; policy accept; }   (and -out)
//     ct state established return                       (the bulk of packets: one comparison)
//     ct state new ct event set new,reply,destroy
//     ct state related icmp type destination-unreachable icmp code != frag-needed jump flow-refused
//     ct state related icmpv6 type destination-unreachable jump flow-refused
//   chain flow-refused
//     meta nfproto ipv4 update @flow-refused-v4 { ct id }   (and ipv6)
//     counter
//
// - The event mask: conntrack then reports, for the connections this host opens or accepts, the
//   NEW, the first reply (one UPDATE without [UNREPLIED]) and the DESTROY, and none of the TCP
//   state changes (5-6 more UPDATEs per connection) that the agent would read and throw away.
//   Another conntrack event listener on the host sees the same reduced stream for them.
// - An ICMP error about a connection (port, host, admin unreachable; not fragmentation needed)
//   is `related` to it, and its conntrack IS that connection, so `ct id` names the connection
//   that was refused: the id conntrack prints, byte-swapped on little-endian hosts (a 32-bit key
//   the agent reads as `mark`). A locally generated error passes output, one from the network
//   input: both ends see it. The key is the id alone: nft 1.0.6 cannot load a concatenation
//   with `ct id` from JSON (no typeof), nor with `ct original proto-src` at all.
// - A TCP reset needs no recording: conntrack destroys an entry whose only reply is a reset.

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
  readonly type: "mark" | readonly string[];
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

/** `flow-outcome-in` / `flow-outcome-out`: the observation base chains (every mode). */
export function flowOutcomeChainName(direction: Direction): string {
  return `${FLOW_SET_PREFIX}outcome-${direction === "inbound" ? "in" : "out"}`;
}

/** After the filter chains (priority 0): they see only what was let through. */
export const FLOW_OUTCOME_PRIORITY = 10;
export const FLOW_REFUSED_CHAIN = `${FLOW_SET_PREFIX}refused`;

/** `flow-refused-v4` / `flow-refused-v6`. */
export function flowRefusedSetName(family: FlowFamily): string {
  return `${FLOW_REFUSED_CHAIN}-${family}`;
}

/** The refused connections' ids, per family (an element's counter counts its ICMP errors). */
export function flowRefusedSets(): FlowSetDecl[] {
  return (["v4", "v6"] as const).map((family) => ({
    name: flowRefusedSetName(family),
    type: "mark",
    flags: ["timeout"],
    timeout: FLOW_SET_TIMEOUT_S,
    size: FLOW_SET_SIZE,
    stmt: [x.counter],
  }));
}

const ctState = (state: string) => x.match({ ct: { key: "state" } }, state, "in");

/** The rules of an observation chain (the same for input and output). */
export function flowOutcomeRules(): NftExpr[][] {
  return [
    [ctState("established"), { return: null }],
    [
      ctState("new"),
      { mangle: { key: { ct: { key: "event" } }, value: ["new", "reply", "destroy"] } },
    ],
    [
      ctState("related"),
      x.icmpTypes("icmp", ["destination-unreachable"]),
      x.match({ payload: { protocol: "icmp", field: "code" } }, "frag-needed", "!="),
      x.jump(FLOW_REFUSED_CHAIN),
    ],
    [
      ctState("related"),
      x.icmpTypes("icmpv6", ["destination-unreachable"]),
      x.jump(FLOW_REFUSED_CHAIN),
    ],
  ];
}

/** The rules of `flow-refused`: the connection's id into its family's set, then a counter. */
export function flowRefusedRules(): NftExpr[][] {
  return [
    ...(["v4", "v6"] as const).map((family) => [
      x.match({ meta: { key: "nfproto" } }, family === "v4" ? "ipv4" : "ipv6"),
      { set: { op: "update", elem: { ct: { key: "id" } }, set: `@${flowRefusedSetName(family)}` } },
    ]),
    // Moves when an error was recorded: the agent lists the sets only then.
    [x.counter],
  ];
}
