// The detector's end of the flow bus: a loop over the durable pull consumer.
//
//   fetch (up to FETCH messages, waits at most 1 s) ──each──> target.ingest(observations, now)
//     ──> target.flush() (the alerts they raised are stored) ──> ack every message of the fetch
//
// A message is acknowledged only once the engine took it and what it raised is in the store, so
// a detector that dies loses nothing: JetStream delivers its unacknowledged messages again (after
// the consumer's ack wait) to the next holder of the lease, which restored the stored alerts and
// goes on updating them. A message may so be seen twice; the engine counts distinct contacts,
// so a repeat changes no verdict.
import type { FlowObservation } from "@microseg/insight";
import type { Consumer, ConsumerMessages, JetStreamClient, JsMsg } from "@nats-io/jetstream";
import type { Logger } from "pino";
import { decodeMessage } from "./message.js";

const FETCH = 256;
const FETCH_WAIT_MS = 1_000;
const RETRY_MS = 250;

/** What the consumer feeds: the DetectionService of the lease holder. */
export interface DetectionTarget {
  ingest(observations: readonly FlowObservation[], now: number): void;
  flush(): Promise<void>;
  /** Told how many messages were just acknowledged (metrics). */
  acked?(messages: number): void;
}

export class FlowConsumer {
  private stopped = false;
  private aborted = false;
  private current: ConsumerMessages | undefined;
  /** Looked up once, again after a failure (a leader change, a reconnect). */
  private consumer: Consumer | undefined;
  private loop: Promise<void> | undefined;
  /** Messages taken by the engine and acknowledged (tests and the log). */
  acked = 0;

  constructor(
    private readonly js: JetStreamClient,
    private readonly stream: string,
    private readonly durable: string,
    private readonly target: DetectionTarget,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** Finishes the fetch in hand (ingested, flushed, acked), then stops. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.current?.stop();
    await this.loop;
  }

  /**
   * Stops at once and acknowledges nothing more: what is in hand is delivered again to the
   * next detector. What a process that dies does (tests use it to stand for one).
   */
  async abort(): Promise<void> {
    this.aborted = true;
    await this.stop();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.once();
      } catch (err) {
        this.consumer = undefined;
        if (this.stopped) break;
        this.log.warn({ err }, "flow bus fetch failed; trying again");
        await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    }
  }

  private async once(): Promise<void> {
    this.consumer ??= await this.js.consumers.get(this.stream, this.durable);
    const msgs = await this.consumer.fetch({ max_messages: FETCH, expires: FETCH_WAIT_MS });
    this.current = msgs;
    const taken: JsMsg[] = [];
    for await (const m of msgs) {
      if (this.aborted) break;
      const message = decodeMessage(m.data);
      if (message === undefined) {
        this.log.error({ subject: m.subject, seq: m.seq }, "flow bus message dropped: not v1");
      } else {
        this.target.ingest(message.observations, message.now);
      }
      taken.push(m);
    }
    this.current = undefined;
    if (this.aborted || taken.length === 0) return;
    await this.target.flush();
    if (this.aborted) return;
    // Acked with a reply: a detector stopped right after this leaves nothing to deliver again.
    await Promise.all(taken.map((m) => m.ackAck().catch(() => false)));
    this.acked += taken.length;
    this.target.acked?.(taken.length);
  }
}
