// Sums one batch's flow records per edge and bucket before they reach the store. This is the
// ingest's hot loop, so it keeps its state in columns rather than one object per edge:
//
//   key (one number) ──slots──> slot i ──> count[i] packets[i] bytes[i] first[i] last[i]
//
//   key = ((((age * 7 + class) * 2 + side) * 65536 + port) * 65536 + remote)
//
// `remote` and `port` are ids given out per batch (a batch holds at most MAX_FLOW_RECORDS
// < 65536 records, so each fits 16 bits), `age` is how many buckets before the newest one
// (< 2^17), and `class` one of the 7 (verdict, outcome) pairs a record can be: allowed or
// would-block, each established, refused or unanswered, and blocked (always unanswered: the
// ruleset dropped it). So a key stays below 14 * 2^49 < 2^53 and is an exact number. The
// reporting agent's workload is the other end of every record, so (side, remote) names both.
//
// Sums need no cap here: checkFlowBatch bounds a record's counters to 2^40 and a batch to 50,000
// records, so an edge's sum stays below 2^56 (an integer-valued double, inside SQLite's 64-bit
// integers); the store saturates what accumulates across batches (MAX_EDGE_COUNTER).

import type { EdgeOutcome, EdgeVerdict } from "@microseg/store";
import type { FlowEndRef } from "./address-book.js";
import { portSpec } from "./port-spec.js";

export const VERDICT_CODE: Readonly<Record<string, number>> = {
  allowed: 0,
  blocked: 1,
  "would-block": 2,
};
const OUTCOMES: readonly EdgeOutcome[] = ["established", "refused", "unanswered"];
export const OUTCOME_CODE: Readonly<Record<string, number>> = {
  established: 0,
  refused: 1,
  unanswered: 2,
};

const BLOCKED = 1;
/** (verdict, outcome) -> class: allowed 0-2, would-block 3-5 (by outcome), blocked 6. */
const classOf = (verdict: number, outcome: number) =>
  verdict === BLOCKED ? 6 : (verdict === 0 ? 0 : 3) + outcome;
const VERDICT_OF_CLASS: readonly EdgeVerdict[] = [
  "allowed",
  "allowed",
  "allowed",
  "would-block",
  "would-block",
  "would-block",
  "blocked",
];
const OUTCOME_OF_CLASS: readonly EdgeOutcome[] = [...OUTCOMES, ...OUTCOMES, "unanswered"];

const ID_SPAN = 65_536;
/** Records older than this many buckets are not aggregated (they are past any retention). */
export const MAX_AGE_BUCKETS = 131_072;

/** One aggregated edge of the batch, as forEach() hands it out. */
export interface AggregatedEdge {
  readonly remote: FlowEndRef;
  /** 0: the reporter opened the connection (it is the source); 1: it received it. */
  readonly side: 0 | 1;
  readonly port: string;
  readonly verdict: EdgeVerdict;
  /** What the network answered (blocked: unanswered). */
  readonly outcome: EdgeOutcome;
  readonly bucket: number;
  readonly count: number;
  readonly packets: number;
  readonly bytes: number;
  readonly first: number;
  readonly last: number;
}

export class EdgeAggregator {
  private readonly slots = new Map<number, number>();
  private keys: number[] = [];
  private count = new Float64Array(256);
  private packets = new Float64Array(256);
  private bytes = new Float64Array(256);
  private first = new Float64Array(256);
  private last = new Float64Array(256);
  private readonly remotes: FlowEndRef[] = [];
  private readonly remoteIds = new Map<FlowEndRef, number>();
  private readonly specs: string[] = [];
  private readonly specIds = new Map<string, number>();
  private readonly portIds = new Map<string, Map<number, number>>();
  private readonly newest: number;

  /** `now`: the newest bucket is the one holding now; later record times count as now. */
  constructor(
    private readonly bucketMs: number,
    private readonly now: number,
  ) {
    this.newest = Math.floor(now / bucketMs);
  }

  get size(): number {
    return this.keys.length;
  }

  /** Adds one record; false when it is too old to keep (MAX_AGE_BUCKETS). */
  add(
    remote: FlowEndRef,
    side: 0 | 1,
    proto: string,
    port: number,
    verdict: number,
    outcome: number,
    count: number,
    packets: number,
    bytes: number,
    firstMs: number,
    lastMs: number,
  ): boolean {
    const lastAt = Math.min(lastMs, this.now);
    const age = this.newest - Math.floor(lastAt / this.bucketMs);
    if (age >= MAX_AGE_BUCKETS) return false;
    const key =
      (((age * 7 + classOf(verdict, outcome)) * 2 + side) * ID_SPAN + this.portId(proto, port)) *
        ID_SPAN +
      this.remoteId(remote);
    const firstAt = Math.min(firstMs, lastAt);
    const slot = this.slots.get(key);
    if (slot === undefined) {
      const i = this.keys.length;
      if (i === this.count.length) this.grow();
      this.slots.set(key, i);
      this.keys.push(key);
      this.count[i] = count;
      this.packets[i] = packets;
      this.bytes[i] = bytes;
      this.first[i] = firstAt;
      this.last[i] = lastAt;
      return true;
    }
    this.count[slot] = (this.count[slot] as number) + count;
    this.packets[slot] = (this.packets[slot] as number) + packets;
    this.bytes[slot] = (this.bytes[slot] as number) + bytes;
    if (firstAt < (this.first[slot] as number)) this.first[slot] = firstAt;
    if (lastAt > (this.last[slot] as number)) this.last[slot] = lastAt;
    return true;
  }

  forEach(fn: (edge: AggregatedEdge) => void): void {
    for (let i = 0; i < this.keys.length; i++) {
      let k = this.keys[i] as number;
      const remote = this.remotes[k % ID_SPAN] as FlowEndRef;
      k = Math.floor(k / ID_SPAN);
      const port = this.specs[k % ID_SPAN] as string;
      k = Math.floor(k / ID_SPAN);
      const side = (k % 2) as 0 | 1;
      k = Math.floor(k / 2);
      const cls = k % 7;
      const age = Math.floor(k / 7);
      fn({
        remote,
        side,
        port,
        verdict: VERDICT_OF_CLASS[cls] as EdgeVerdict,
        outcome: OUTCOME_OF_CLASS[cls] as EdgeOutcome,
        bucket: (this.newest - age) * this.bucketMs,
        count: this.count[i] as number,
        packets: this.packets[i] as number,
        bytes: this.bytes[i] as number,
        first: this.first[i] as number,
        last: this.last[i] as number,
      });
    }
  }

  private remoteId(end: FlowEndRef): number {
    let id = this.remoteIds.get(end);
    if (id === undefined) {
      id = this.remotes.length;
      if (id >= ID_SPAN) throw new Error("a flow batch names more than 65536 remote ends");
      this.remotes.push(end);
      this.remoteIds.set(end, id);
    }
    return id;
  }

  private portId(proto: string, port: number): number {
    let byPort = this.portIds.get(proto);
    if (byPort === undefined) {
      byPort = new Map();
      this.portIds.set(proto, byPort);
    }
    let id = byPort.get(port);
    if (id === undefined) {
      const spec = portSpec(proto, port);
      id = this.specIds.get(spec);
      if (id === undefined) {
        id = this.specs.length;
        if (id >= ID_SPAN) throw new Error("a flow batch names more than 65536 ports");
        this.specs.push(spec);
        this.specIds.set(spec, id);
      }
      byPort.set(port, id);
    }
    return id;
  }

  private grow(): void {
    const n = this.count.length * 2;
    const bigger = (a: Float64Array) => {
      const b = new Float64Array(n);
      b.set(a);
      return b;
    };
    this.count = bigger(this.count);
    this.packets = bigger(this.packets);
    this.bytes = bigger(this.bytes);
    this.first = bigger(this.first);
    this.last = bigger(this.last);
  }
}
