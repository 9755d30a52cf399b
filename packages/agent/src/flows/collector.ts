// The flow collector: every interval (default 1 s) one flush
//
//   conntrack feed ─take()──► events ──► observeConnection ─► OutcomeHold ─┐
//   recordingReader (nft) ─► AttemptReader (counter deltas) ───────────────┼─► FlowAggregator
//                                  ├ would-block keys ─────────────────────┤     (batches)
//                                  └ refused ids (ICMP errors) ────────────┘   FlowBuffer ─► FlowSender
//
// Events are taken BEFORE the table is read: an event is emitted after its first packet went
// through the ruleset, so every taken event's attempt is already in the listing (a test-mode
// connection is never classified before its would-block element exists). The table is read at
// every flush that has connection events, else at most every `idleReadMs` (default 2 s): an idle
// host forks nft once per 2 s instead of every second, and blocked attempts on an otherwise
// silent host still reach the controller within about 3 s (detection answers within 5 s).
// A new connection is held until its outcome is known (outcome-hold.ts): flushes read the table
// while connections are held, so an ICMP error's refused id is seen before the hold runs out.
// With conntrack, would-block connections are counted from conntrack (with their outcome) and
// the would-block sets only classify them; without it (feed missing or not installed) the
// would-block attempts come from the sets.
// Loss (conntrack events the kernel could not deliver, attempts a full set could not record)
// becomes the batch's `dropped`. Failures are logged and contained: the collector never touches
// the dataplane.

import type { FlowTuple } from "@microseg/protocol/agent";
import { FlowAggregator } from "./aggregator.js";
import { AttemptReader, parseRecordingListing } from "./attempt-sets.js";
import { observeConnection, WouldBlockIds } from "./classify.js";
import type { ConntrackFeed } from "./conntrack-feed.js";
import type { ConntrackEvent } from "./conntrack-line.js";
import type { FlowBuffer } from "./flow-buffer.js";
import { OutcomeHold } from "./outcome-hold.js";

export const DEFAULT_FLOW_INTERVAL_MS = 1000;
export const DEFAULT_IDLE_READ_MS = 2000;
/** Records per batch: well under the protocol's 50,000 and the controller's 8 MiB body. */
export const MAX_BATCH_RECORDS = 20_000;

export interface FlowCollectorOptions {
  /** undefined: attempts only (conntrack missing or disabled). */
  readonly feed?: Pick<ConntrackFeed, "take" | "takeLost"> &
    Partial<Pick<ConntrackFeed, "available">>;
  /** A listing of the recording sets (recording-reader.ts); undefined when the table is missing. */
  readonly readTable: () => Promise<string | undefined>;
  /** This host's addresses (decides in/out); asked at every flush. */
  readonly localAddresses: () => ReadonlySet<string>;
  readonly buffer: Pick<FlowBuffer, "append">;
  /** Called after batches were added (the sender's kick). */
  readonly onBatch?: () => void;
  readonly intervalMs?: number;
  /** Longest time between two table reads when no connection events arrive; default 2000. */
  readonly idleReadMs?: number;
  /** How long a new connection waits for an answer (outcome-hold.ts); default 3000. */
  readonly holdMs?: number;
  readonly now?: () => number;
  readonly log: { warn(o: object, m: string): void; error(o: object, m: string): void };
}

export class FlowCollector {
  private readonly aggregator = new FlowAggregator();
  private readonly attempts = new AttemptReader();
  private readonly wouldBlockIds = new WouldBlockIds();
  private readonly hold: OutcomeHold;
  private readonly now: () => number;
  private since: number;
  private lastRead = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = true;
  private readFailures = 0;

  constructor(private readonly o: FlowCollectorOptions) {
    this.now = o.now ?? Date.now;
    this.since = this.now();
    this.hold = new OutcomeHold(o.holdMs);
  }

  start(): void {
    this.stopped = false;
    this.arm();
  }

  /** Stops the timer and flushes what was collected so far. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.flush(true);
  }

  /** One flush (serialized with the timer's); exposed for tests. `final`: resolve every hold. */
  flush(final = false): Promise<void> {
    this.running = this.running.then(() =>
      this.flushNow(final).catch((e: unknown) => {
        this.o.log.error({ error: (e as Error).message }, "flow flush failed");
      }),
    );
    return this.running;
  }

  private arm(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.flush().finally(() => this.arm());
    }, this.o.intervalMs ?? DEFAULT_FLOW_INTERVAL_MS);
    this.timer.unref();
  }

  private async flushNow(final: boolean): Promise<void> {
    const events = this.o.feed?.take() ?? [];
    const lost = (await this.o.feed?.takeLost()) ?? 0;
    const due = this.now() - this.lastRead >= (this.o.idleReadMs ?? DEFAULT_IDLE_READ_MS);
    const read = events.length > 0 || this.hold.size > 0 || due;
    const listing = read ? await this.readListing() : undefined;
    const nowMs = this.now();
    if (read) this.lastRead = nowMs;
    const reading = listing
      ? this.attempts.read(parseRecordingListing(listing), this.since, nowMs)
      : undefined;
    if (listing) this.since = nowMs;
    const fromConntrack = this.o.feed !== undefined && this.o.feed.available?.() !== false;
    for (const o of reading?.observations ?? []) {
      if (!(fromConntrack && o.verdict === "would-block")) this.aggregator.add(o);
    }
    const refused = reading?.refused ?? this.attempts.refused;
    if (events.length > 0) this.observe(events, refused, reading?.wouldBlock, nowMs);
    for (const o of this.hold.due(nowMs, refused, final)) this.aggregator.add(o);
    await this.write(this.aggregator.drain(), lost + (reading?.unrecorded ?? 0));
  }

  private observe(
    events: readonly ConntrackEvent[],
    refused: ReadonlySet<number>,
    wouldBlock: ReadonlySet<string> | undefined,
    nowMs: number,
  ): void {
    const ctx = {
      local: this.o.localAddresses(),
      wouldBlock: wouldBlock ?? this.attempts.wouldBlock(),
      wouldBlockIds: this.wouldBlockIds,
      nowMs,
    };
    for (const ev of events) {
      if (ev.type === "update") {
        const o = ev.replied && ev.id !== undefined ? this.hold.answered(ev.id) : undefined;
        if (o) this.aggregator.add(o);
        continue;
      }
      if (ev.type === "destroy") {
        const { counted, outcome } = this.hold.ended(ev, refused);
        if (counted) this.aggregator.add(counted);
        const traffic = observeConnection(ev, ctx);
        if (traffic) this.aggregator.add({ ...traffic, outcome });
        continue;
      }
      const o = observeConnection(ev, ctx);
      if (!o) continue;
      // A dump entry that was answered already, or one without an id (never held).
      if (ev.replied || ev.id === undefined) {
        this.aggregator.add({ ...o, outcome: ev.replied ? "established" : "unanswered" });
        continue;
      }
      for (const r of this.hold.hold(ev.id, o, ev.atMs ?? nowMs, refused)) this.aggregator.add(r);
    }
  }

  private async readListing(): Promise<string | undefined> {
    try {
      const listing = await this.o.readTable();
      this.readFailures = 0;
      return listing;
    } catch (e) {
      // Logged on the first failure and then every 60th, not every second.
      if (this.readFailures++ % 60 === 0)
        this.o.log.warn({ error: (e as Error).message }, "attempt sets not readable");
      return undefined;
    }
  }

  private async write(records: FlowTuple[], dropped: number): Promise<void> {
    if (records.length === 0 && dropped === 0) return;
    for (let i = 0; i === 0 || i < records.length; i += MAX_BATCH_RECORDS) {
      await this.o.buffer.append(records.slice(i, i + MAX_BATCH_RECORDS), i === 0 ? dropped : 0);
    }
    this.o.onBatch?.();
  }
}
