// The flow collector: every interval (default 1 s) one flush
//
//   conntrack feed ─take()──► events ──► observeConnection ──┐
//   recordingReader (nft) ─► AttemptReader (counter deltas) ─┼─► FlowAggregator ─► FlowBuffer
//                                  └ would-block keys ───────┘      (batches)        │ kick
//                                                                                  FlowSender
//
// Events are taken BEFORE the table is read: an event is emitted after its first packet went
// through the ruleset, so every taken event's attempt is already in the listing (a test-mode
// connection is never classified before its would-block element exists). The table is read at
// every flush that has connection events, else at most every `idleReadMs` (default 2 s): an idle
// host forks nft once per 2 s instead of every second, and blocked attempts on an otherwise
// silent host still reach the controller within about 3 s (detection answers within 5 s).
// Loss (conntrack events the kernel could not deliver, attempts a full set could not record)
// becomes the batch's `dropped`. Failures are logged and contained: the collector never touches
// the dataplane.

import type { FlowTuple } from "@microseg/protocol/agent";
import { FlowAggregator } from "./aggregator.js";
import { AttemptReader, parseRecordingListing } from "./attempt-sets.js";
import { observeConnection, WouldBlockIds } from "./classify.js";
import type { ConntrackFeed } from "./conntrack-feed.js";
import type { FlowBuffer } from "./flow-buffer.js";

export const DEFAULT_FLOW_INTERVAL_MS = 1000;
export const DEFAULT_IDLE_READ_MS = 2000;
/** Records per batch: well under the protocol's 50,000 and the controller's 8 MiB body. */
export const MAX_BATCH_RECORDS = 20_000;

export interface FlowCollectorOptions {
  /** undefined: attempts only (conntrack missing or disabled). */
  readonly feed?: Pick<ConntrackFeed, "take" | "takeLost">;
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
  readonly now?: () => number;
  readonly log: { warn(o: object, m: string): void; error(o: object, m: string): void };
}

export class FlowCollector {
  private readonly aggregator = new FlowAggregator();
  private readonly attempts = new AttemptReader();
  private readonly wouldBlockIds = new WouldBlockIds();
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
  }

  start(): void {
    this.stopped = false;
    this.arm();
  }

  /** Stops the timer and flushes what was collected so far. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.flush();
  }

  /** One flush (serialized with the timer's); exposed for tests. */
  flush(): Promise<void> {
    this.running = this.running.then(() =>
      this.flushNow().catch((e: unknown) => {
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

  private async flushNow(): Promise<void> {
    const events = this.o.feed?.take() ?? [];
    const lost = (await this.o.feed?.takeLost()) ?? 0;
    const due = this.now() - this.lastRead >= (this.o.idleReadMs ?? DEFAULT_IDLE_READ_MS);
    const read = events.length > 0 || due;
    const listing = read ? await this.readListing() : undefined;
    const nowMs = this.now();
    if (read) this.lastRead = nowMs;
    const reading = listing
      ? this.attempts.read(parseRecordingListing(listing), this.since, nowMs)
      : undefined;
    if (listing) this.since = nowMs;
    for (const o of reading?.observations ?? []) this.aggregator.add(o);
    if (events.length > 0) {
      const ctx = {
        local: this.o.localAddresses(),
        wouldBlock: reading?.wouldBlock ?? this.attempts.wouldBlock(),
        wouldBlockIds: this.wouldBlockIds,
        nowMs,
      };
      for (const ev of events) {
        const o = observeConnection(ev, ctx);
        if (o) this.aggregator.add(o);
      }
    }
    await this.write(this.aggregator.drain(), lost + (reading?.unrecorded ?? 0));
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
