// One line of `conntrack -E -o extended,id,timestamp` -> a ConntrackEvent (pure).
//
//   [1795961997.986436]	    [NEW] ipv4     2 tcp      6 120 SYN_SENT src=198.18.0.2
//     dst=198.18.0.1 sport=48436 dport=80 [UNREPLIED] src=198.18.0.1 dst=198.18.0.2 sport=80
//     dport=48436 id=1445459803
//   [1795961999.269624]	[DESTROY] ipv4     2 tcp      6 8 CLOSE src=... packets=4 bytes=216
//     src=... packets=3 bytes=167 [ASSURED] id=1445459803
//
// The first src/dst/sport/dport/type are the original direction (who opened the connection),
// the second set the reply. packets/bytes appear per direction when accounting is on
// (nf_conntrack_acct=1); both are summed. The conntrack id is the LAST `id=` (ICMP tuples carry
// an `id=` of their own).

import { hasPorts, isIcmp } from "./protocols.js";

export interface ConntrackEvent {
  readonly type: "new" | "destroy";
  /** Event time (ms since the epoch) from the line's timestamp; undefined when absent. */
  readonly atMs?: number;
  /** The conntrack id (unique while the entry lives). */
  readonly id?: number;
  /** IP protocol number (6 tcp, 17 udp, 1 icmp, 58 icmpv6, ...). */
  readonly protocol: number;
  /** Original direction: who sent the first packet to whom. */
  readonly src: string;
  readonly dst: string;
  /** Destination port (tcp/udp), ICMP type (icmp/icmpv6), else 0. */
  readonly port: number;
  /** Both directions; 0 without accounting (and always on NEW). */
  readonly packets: number;
  readonly bytes: number;
}

const TYPES: Readonly<Record<string, ConntrackEvent["type"]>> = {
  "[NEW]": "new",
  "[DESTROY]": "destroy",
};

/** undefined for lines that are not a NEW/DESTROY event (notices, UPDATE, garbage). */
export function parseConntrackLine(line: string): ConntrackEvent | undefined {
  const tokens = line.trim().split(/\s+/);
  let i = 0;
  let atMs: number | undefined;
  const stamp = /^\[(\d+)\.(\d+)\]$/.exec(tokens[0] ?? "");
  if (stamp) {
    atMs = Number(stamp[1]) * 1000 + Math.floor(Number(`0.${stamp[2]}`) * 1000);
    i = 1;
  }
  const type = TYPES[tokens[i] ?? ""];
  if (!type) return undefined;
  // [NEW] ipv4 2 tcp 6 <timeout> ...: the protocol number is the 5th token after the type.
  const protocol = Number(tokens[i + 4]);
  if (!Number.isInteger(protocol)) return undefined;
  const first = new Map<string, string>();
  let packets = 0;
  let bytes = 0;
  let id: number | undefined;
  for (const token of tokens.slice(i + 5)) {
    const eq = token.indexOf("=");
    if (eq <= 0) continue;
    const key = token.slice(0, eq);
    const value = token.slice(eq + 1);
    if (key === "packets") packets += Number(value) || 0;
    else if (key === "bytes") bytes += Number(value) || 0;
    else if (key === "id") id = Number(value);
    if (!first.has(key)) first.set(key, value);
  }
  const src = first.get("src");
  const dst = first.get("dst");
  if (!src || !dst) return undefined;
  const portKey = hasPorts(protocol) ? "dport" : isIcmp(protocol) ? "type" : undefined;
  const port = portKey ? Number(first.get(portKey) ?? 0) || 0 : 0;
  return { type, atMs, id, protocol, src, dst, port, packets, bytes };
}
