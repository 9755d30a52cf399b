// Attempts the ruleset judged, from its recording sets (see packages/nft render/flow-recording.ts):
// parse an `nft -j -p` listing and turn counter deltas since the last read into blocked (deny
// sets) / would-block (wb sets) observations. A set listed with its elements (an `elem` array,
// possibly empty) is read; a set listed without (terse) keeps what the last read saw, so the
// caller may list a chain's sets only when the chain's counter moved.
//
//   set flow-<deny|wb>-<in|out>-<v4|v6>   elem { val: { concat: [saddr, daddr, proto, v16] },
//                                                 expires: s, counter: { packets, bytes } }
//   chain flow-<deny|wb>-<in|out>          last rule: counter + verdict (every judged packet)
//
// A counter lower than last time (the element expired and came back, or a full apply replaced
// the table) starts again from zero. When a set is full, packets its chain judged but no element
// counted are `unrecorded`: the collector adds them to the batch's `dropped`.
//
// Blocked records are `unanswered` (dropped here). Would-block records from the sets are used
// only without conntrack (the collector counts would-block connections from conntrack, with
// their outcome); their outcome is then unknown and reported as an older agent would:
// `established`.
//
//   set flow-refused-<v4|v6>               elem { val: <ct id, byte-swapped on little-endian
//   chain flow-refused                      hosts>, counter } and a counter rule
//
// The refused sets name the connections an ICMP error answered (flow-recording.ts); a listing
// of both replaces the ids the reader holds.

import { endianness } from "node:os";
import { FLOW_REFUSED_CHAIN, FLOW_SET_PREFIX } from "@microseg/nft";
import type { FlowObservation } from "./aggregator.js";
import { flowKey } from "./aggregator.js";
import { hasPorts, isIcmp, protocolName } from "./protocols.js";

type Json = Record<string, unknown>;

export interface AttemptElement {
  readonly set: string;
  readonly kind: "deny" | "wb";
  readonly side: "in" | "out";
  readonly src: string;
  readonly dst: string;
  readonly protocol: number;
  /** Destination port (tcp/udp), else the first 16 bits of the transport header. */
  readonly value: number;
  readonly packets: number;
  readonly bytes: number;
  /** Seconds left before the element expires; the set's timeout minus time since last hit. */
  readonly expiresS: number;
  readonly timeoutS: number;
}

export interface RecordingListing {
  /** Recording sets whose elements were listed (the others were listed terse, or not at all). */
  readonly listed: ReadonlySet<string>;
  readonly elements: readonly AttemptElement[];
  /** Recording chain -> packets its final counter saw. */
  readonly chainPackets: ReadonlyMap<string, number>;
  /** Recording chains with a set at its size limit. */
  readonly fullChains: ReadonlySet<string>;
  /** Conntrack ids in the refused sets; undefined when they were not listed. */
  readonly refusedIds?: ReadonlySet<number>;
}

const SET_NAME = /^flow-(deny|wb)-(in|out)-(v4|v6)$/;
const CHAIN_NAME = /^flow-((deny|wb)-(in|out)|refused)$/;
const REFUSED_SET = /^flow-refused-(v4|v6)$/;
/** Names nft prints when -p was not given. */
const PROTOCOL_NUMBERS: Readonly<Record<string, number>> = {
  tcp: 6,
  udp: 17,
  icmp: 1,
  "ipv6-icmp": 58,
};

/** `table`: keep only items of `inet <table>` (for a whole-ruleset listing). */
export function parseRecordingListing(stdout: string, table?: string): RecordingListing {
  const all = (JSON.parse(stdout) as { nftables?: Json[] }).nftables ?? [];
  const items = table === undefined ? all : all.filter((item) => inTable(item, table));
  const listed = new Set<string>();
  const elements: AttemptElement[] = [];
  const chainPackets = new Map<string, number>();
  const fullChains = new Set<string>();
  let refusedIds: Set<number> | undefined;
  for (const item of items) {
    const set = item.set as Json | undefined;
    const rule = item.rule as Json | undefined;
    if (set && typeof set.name === "string" && set.name.startsWith(FLOW_SET_PREFIX)) {
      if (!Array.isArray(set.elem)) continue;
      if (REFUSED_SET.test(set.name)) {
        refusedIds ??= new Set();
        for (const id of parseRefused(set.elem as Json[])) refusedIds.add(id);
        continue;
      }
      listed.add(set.name);
      const parsed = parseSet(set, set.name);
      elements.push(...parsed);
      const m = SET_NAME.exec(set.name);
      if (m && typeof set.size === "number" && parsed.length >= set.size)
        fullChains.add(`flow-${m[1]}-${m[2]}`);
    } else if (rule && typeof rule.chain === "string" && CHAIN_NAME.test(rule.chain)) {
      const counter = (rule.expr as Json[] | undefined)?.find((e) => e.counter)?.counter as
        | { packets?: number }
        | undefined;
      if (counter) chainPackets.set(rule.chain, counter.packets ?? 0);
    }
  }
  return { listed, elements, chainPackets, fullChains, refusedIds };
}

const LITTLE_ENDIAN = endianness() === "LE";

/** `ct id` as conntrack prints it, from the set's 32-bit key (stored in network byte order). */
export function refusedId(value: number): number {
  if (!LITTLE_ENDIAN) return value >>> 0;
  return (
    (((value & 0xff) << 24) |
      ((value & 0xff00) << 8) |
      ((value >>> 8) & 0xff00) |
      (value >>> 24)) >>>
    0
  );
}

function parseRefused(elems: readonly Json[]): number[] {
  const out: number[] = [];
  for (const e of elems) {
    const elem = (e.elem ?? e) as Json;
    const val = typeof elem === "number" ? elem : elem.val;
    if (typeof val === "number") out.push(refusedId(val));
  }
  return out;
}

function inTable(item: Json, table: string): boolean {
  const obj = Object.values(item)[0] as Json | undefined;
  return obj?.family === "inet" && obj.table === table;
}

function parseSet(set: Json, name: string): AttemptElement[] {
  const m = SET_NAME.exec(name);
  if (!m || !Array.isArray(set.elem)) return [];
  const timeoutS = typeof set.timeout === "number" ? set.timeout : 0;
  const out: AttemptElement[] = [];
  for (const e of set.elem as Json[]) {
    const elem = (e.elem ?? e) as Json;
    const key = (elem.val as { concat?: unknown[] } | undefined)?.concat;
    if (!Array.isArray(key) || key.length !== 4) continue;
    const [src, dst, proto, value] = key;
    const protocol = typeof proto === "number" ? proto : (PROTOCOL_NUMBERS[String(proto)] ?? NaN);
    if (!Number.isInteger(protocol) || typeof value !== "number") continue;
    const counter = (elem.counter ?? {}) as { packets?: number; bytes?: number };
    out.push({
      set: name,
      kind: m[1] as "deny" | "wb",
      side: m[2] as "in" | "out",
      src: String(src),
      dst: String(dst),
      protocol,
      value,
      packets: counter.packets ?? 0,
      bytes: counter.bytes ?? 0,
      expiresS: typeof elem.expires === "number" ? elem.expires : timeoutS,
      timeoutS,
    });
  }
  return out;
}

/** The port a record carries for an element's 16-bit value. */
export function attemptPort(protocol: number, value: number): number {
  if (hasPorts(protocol)) return value;
  if (isIcmp(protocol)) return value >> 8;
  return 0;
}

export interface AttemptReading {
  readonly observations: FlowObservation[];
  /** flowKey of every would-block element present now (test mode's connections to reclassify). */
  readonly wouldBlock: ReadonlySet<string>;
  /** Judged packets no element counted (a full set). */
  readonly unrecorded: number;
  /** Conntrack ids an ICMP error answered, as last listed (see parseRecordingListing). */
  readonly refused: ReadonlySet<number>;
}

interface Counters {
  readonly packets: number;
  readonly bytes: number;
}

/** Keeps the last counters; each read answers what happened since the previous one. */
export class AttemptReader {
  /** set -> element key -> counters, as last listed. */
  private lastElements = new Map<string, Map<string, Counters>>();
  /** wb set -> flowKeys of its elements, as last listed. */
  private wouldBlockKeys = new Map<string, Set<string>>();
  private lastChains = new Map<string, number>();
  private refusedIds: ReadonlySet<number> = new Set();

  /** Conntrack ids an ICMP error answered, as last listed. */
  get refused(): ReadonlySet<number> {
    return this.refusedIds;
  }

  /** Packets each recording chain judged, as last read (to decide which sets to list). */
  get chainCounters(): ReadonlyMap<string, number> {
    return this.lastChains;
  }

  read(listing: RecordingListing, sinceMs: number, nowMs: number): AttemptReading {
    const observations: FlowObservation[] = [];
    const recordedPerChain = new Map<string, number>();
    const seen = new Map<string, Map<string, Counters>>();
    for (const name of listing.listed) {
      seen.set(name, new Map());
      if (name.startsWith("flow-wb-")) this.wouldBlockKeys.set(name, new Set());
    }
    for (const e of listing.elements) {
      const local = e.side === "in" ? e.dst : e.src;
      const remote = e.side === "in" ? e.src : e.dst;
      const id = {
        side: e.side,
        proto: protocolName(e.protocol),
        local,
        remote,
        port: attemptPort(e.protocol, e.value),
      };
      if (e.kind === "wb") this.wouldBlockKeys.get(e.set)?.add(flowKey(id));
      const elementKey = `${e.src}|${e.dst}|${e.protocol}|${e.value}`;
      seen.get(e.set)?.set(elementKey, { packets: e.packets, bytes: e.bytes });
      const before = this.lastElements.get(e.set)?.get(elementKey) ?? { packets: 0, bytes: 0 };
      const restarted = e.packets < before.packets;
      const count = restarted ? e.packets : e.packets - before.packets;
      if (count === 0) continue;
      const chain = `flow-${e.kind}-${e.side}`;
      recordedPerChain.set(chain, (recordedPerChain.get(chain) ?? 0) + count);
      const lastHit = nowMs - Math.max(0, e.timeoutS - e.expiresS) * 1000;
      const lastMs = Math.min(nowMs, Math.max(sinceMs, lastHit));
      observations.push({
        side: id.side,
        proto: id.proto,
        local,
        remote,
        port: id.port,
        verdict: e.kind === "deny" ? "blocked" : "would-block",
        outcome: e.kind === "deny" ? "unanswered" : "established",
        count,
        packets: count,
        bytes: restarted ? e.bytes : Math.max(0, e.bytes - before.bytes),
        firstMs: count === 1 ? lastMs : Math.min(sinceMs, lastMs),
        lastMs,
      });
    }
    for (const [name, elements] of seen) this.lastElements.set(name, elements);
    let unrecorded = 0;
    if (listing.refusedIds) this.refusedIds = listing.refusedIds;
    for (const [chain, packets] of listing.chainPackets) {
      if (chain === FLOW_REFUSED_CHAIN) continue;
      const before = this.lastChains.get(chain) ?? 0;
      const judged = packets >= before ? packets - before : packets;
      if (listing.fullChains.has(chain))
        unrecorded += Math.max(0, judged - (recordedPerChain.get(chain) ?? 0));
    }
    if (listing.chainPackets.size > 0) this.lastChains = new Map(listing.chainPackets);
    return { observations, wouldBlock: this.wouldBlock(), unrecorded, refused: this.refusedIds };
  }

  /** flowKeys of the would-block elements as last listed. */
  wouldBlock(): Set<string> {
    const out = new Set<string>();
    for (const keys of this.wouldBlockKeys.values()) for (const k of keys) out.add(k);
    return out;
  }
}
