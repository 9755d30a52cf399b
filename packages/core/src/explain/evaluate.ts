// Evaluating a compiled RuleSet chain for one packet: the first entry whose peer holds the remote
// address and whose ports match decides; otherwise the chain default. This is the meaning every
// renderer must give a RuleSet, and explain() decides through it, so the two cannot disagree.

import { cidrsToRanges, type FamilyRanges, parseAddress, rangesContain } from "../addr/index.js";
import type { Direction } from "../model.js";
import type { AddressSet, PortMatch, RuleEntry, RuleSet } from "../ruleset.js";

/** The layer-4 part of one packet. `any` (no specific protocol) only matches "all traffic". */
export interface Packet {
  readonly proto: "tcp" | "udp" | "sctp" | "icmp" | "icmpv6" | "any";
  readonly port?: number;
  readonly type?: number;
}

export interface ChainResult {
  readonly policy: "allow" | "deny";
  /** The deciding entry; absent when the default decided. */
  readonly entry?: RuleEntry;
}

export function evaluateChain(
  rs: RuleSet,
  direction: Direction,
  remote: string | undefined,
  packet: Packet,
): ChainResult {
  const chain = rs[direction];
  for (const entry of chain.entries) {
    if (!portsMatch(entry.ports, packet)) continue;
    if ("set" in entry.peer) {
      const set = rs.sets[entry.peer.set];
      if (remote === undefined || set === undefined || !setHolds(set, remote)) continue;
    }
    return { policy: entry.action === "allow" ? "allow" : "deny", entry };
  }
  return { policy: chain.default };
}

export function portsMatch(ports: readonly PortMatch[], p: Packet): boolean {
  if (ports.length === 0) return true;
  return ports.some((m) => portMatches(m, p));
}

function portMatches(m: PortMatch, p: Packet): boolean {
  if (m.proto === "any") return true;
  if (m.proto !== p.proto) return false;
  if (!("ranges" in m)) {
    return m.types === undefined || (p.type !== undefined && m.types.includes(p.type));
  }
  const port = p.port;
  return port !== undefined && m.ranges.some(([a, b]) => port >= a && port <= b);
}

const parsedSets = new WeakMap<AddressSet, FamilyRanges>();

function setHolds(set: AddressSet, address: string): boolean {
  const a = parseAddress(address);
  if (a === undefined) return false;
  let ranges = parsedSets.get(set);
  if (ranges === undefined) {
    ranges = { v4: cidrsToRanges(set.v4).v4, v6: cidrsToRanges(set.v6).v6 };
    parsedSets.set(set, ranges);
  }
  return rangesContain(a.family === 4 ? ranges.v4 : ranges.v6, a.value);
}
