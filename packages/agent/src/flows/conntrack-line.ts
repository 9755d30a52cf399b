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
//
// A table dump (`conntrack -L -o extended,id`, conntrack 1.4.7) prints the same line without the
// timestamp and the [NEW] prefix, and with `mark=0 use=1` before the id:
//
//   ipv4     2 udp      17 29 src=198.18.0.2 dst=198.18.0.1 sport=40000 dport=53 [UNREPLIED]
//     src=198.18.0.1 dst=198.18.0.2 sport=53 dport=40000 mark=0 use=1 id=3183290447
//
// parseConntrackDumpLine() reads it as a NEW event without a time (the feed's resync).
//
// What the network answered (testdata/conntrack-outcomes.txt): `[UNREPLIED]` is printed while
// no packet came back. The first reply is an UPDATE without it (the ruleset's event mask keeps
// it the only UPDATE of a connection, docs/design/nft.md). A TCP connection whose only answer
// was a reset is destroyed at once, still [UNREPLIED], in state CLOSE:
//
//   [DESTROY] ipv4 2 tcp 6 120 CLOSE src=198.18.0.2 dst=198.18.0.1 sport=32924 dport=81
//     packets=1 bytes=60 [UNREPLIED] src=198.18.0.1 ... id=359650017

import { hasPorts, isIcmp } from "./protocols.js";

export interface ConntrackEvent {
  readonly type: "new" | "update" | "destroy";
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
  /** A packet came back (no `[UNREPLIED]` on the line). */
  readonly replied: boolean;
  /** DESTROY of a TCP connection whose only answer was a reset (CLOSE, never replied). */
  readonly reset: boolean;
}

// Timestamp, type, protocol number, then the original tuple's addresses and (when present) its
// destination port or ICMP type. One regex: the collector parses tens of thousands of lines a
// second, so no tokenizing into maps.
const HEAD =
  /^\s*(?:\[(\d+)\.(\d+)\]\s+)?(?:\[(NEW|UPDATE|DESTROY)\]\s+)?\S+\s+\d+\s+\S+\s+(\d+)\s[^=]*?src=(\S+) dst=(\S+)(?: sport=\d+ dport=(\d+)| type=(\d+))?/;
const COUNTERS = / packets=(\d+) bytes=(\d+)/g;

/** undefined for lines that are not a NEW/UPDATE/DESTROY event (notices, garbage). */
export function parseConntrackLine(line: string): ConntrackEvent | undefined {
  const m = HEAD.exec(line);
  return m?.[3] === undefined ? undefined : toEvent(line, m);
}

/** One entry of a table dump as a NEW event (no time); undefined for the summary and garbage. */
export function parseConntrackDumpLine(line: string): ConntrackEvent | undefined {
  const m = HEAD.exec(line);
  return m && m[3] === undefined ? toEvent(line, m) : undefined;
}

/**
 * The key the feed remembers a connection by: the conntrack id (the last ` id=`) times 2^21 plus
 * a 21-bit mix of the original source and destination ports (0 without ports), read from the raw
 * line the same way for event and dump lines without parsing it (an exact integer: < 2^53). The
 * id alone is a 32-bit hash: among 160,000 entries a few share one, and an unseen entry would
 * then pass for a seen one. undefined without an id.
 */
const PORT_MIX = 2 ** 21;

export function conntrackKey(line: string): number | undefined {
  const at = line.lastIndexOf(" id=");
  if (at < 0) return undefined;
  const id = Number.parseInt(line.slice(at + 4), 10);
  if (Number.isNaN(id)) return undefined;
  const sp = line.indexOf(" sport=");
  const sport = sp < 0 ? 0 : Number.parseInt(line.slice(sp + 7), 10) || 0;
  const dp = line.indexOf(" dport=");
  const dport = dp < 0 ? 0 : Number.parseInt(line.slice(dp + 7), 10) || 0;
  return id * PORT_MIX + ((sport * 65_599 + dport) % PORT_MIX);
}

function toEvent(line: string, m: RegExpExecArray): ConntrackEvent {
  const [, sec, frac, kind, proto, src = "", dst = "", dport, icmpType] = m;
  const protocol = Number(proto);
  const atMs =
    sec === undefined ? undefined : Number(sec) * 1000 + Math.floor(Number(`0.${frac}`) * 1000);
  const port = hasPorts(protocol)
    ? Number(dport ?? 0)
    : isIcmp(protocol)
      ? Number(icmpType ?? 0)
      : 0;
  let packets = 0;
  let bytes = 0;
  if (kind === "DESTROY") {
    for (const c of line.matchAll(COUNTERS)) {
      packets += Number(c[1]);
      bytes += Number(c[2]);
    }
  }
  const at = line.lastIndexOf(" id=");
  const id = at < 0 ? undefined : Number.parseInt(line.slice(at + 4), 10);
  const type = kind === "DESTROY" ? "destroy" : kind === "UPDATE" ? "update" : "new";
  const replied = !line.includes("[UNREPLIED]");
  return {
    type,
    atMs,
    id: Number.isNaN(id) ? undefined : id,
    protocol,
    src,
    dst,
    port,
    packets,
    bytes,
    replied,
    reset: type === "destroy" && protocol === 6 && !replied && line.includes(" CLOSE src="),
  };
}
