// Detection with a flow bus: the DetectionService runs on one replica at a time, the holder of
// the lease `detection` (ctx.leases, leases.ts), fed by the stream's durable consumer instead of
// the local flow feed.
//
//   lease taken ──> new DetectionService ──start()──> baseline; stored open alerts restored;
//                   windows replayed from the stored flows ──> FlowConsumer (bus/consumer.ts)
//   lease lost / close() / shutdown ──> consumer.stop() (the fetch in hand is ingested, stored,
//                   acked) ──> service.close() (alerts flushed, senders finished)
//
// Each term of the lease gets a fresh service: nothing of an earlier term's windows survives
// into a later one except through the store and the stream.
import type { FlowObservation } from "@microseg/insight";
import type { ControllerContext } from "../context.js";
import type { DetectionConfig } from "../detect/config.js";
import { DetectionService } from "../detect/service.js";
import type { FlowConsumer } from "./consumer.js";
import type { FlowBus } from "./flow-bus.js";

export const DETECTION_LEASE = "detection";

interface Term {
  readonly service: DetectionService;
  readonly consumer: FlowConsumer;
  stopped?: Promise<void>;
}

export class BusDetection {
  private term: Term | undefined;
  private closed = false;
  /** How many times this replica took the lease (the log). */
  terms = 0;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly config: DetectionConfig,
    private readonly bus: FlowBus,
  ) {}

  start(): void {
    this.ctx.leases.run(DETECTION_LEASE, async () => {
      if (this.closed) return async () => {};
      const service = new DetectionService(this.ctx, this.config);
      await service.start(undefined, { onBus: true });
      const target = {
        ingest: (o: readonly FlowObservation[], now: number) => service.ingest(o, now),
        flush: () => service.flush(),
        acked: (n: number) => this.ctx.metrics.busConsumed(n),
      };
      const term: Term = { service, consumer: this.bus.consume(target) };
      this.term = term;
      this.terms++;
      this.ctx.log.info({ term: this.terms }, "detection lease taken: detecting for the estate");
      return () => this.end(term);
    });
  }

  /** The running service while this replica holds the lease. */
  get current(): DetectionService | undefined {
    return this.term?.service;
  }

  /** Feeds the running service directly (tests; nothing when another replica detects). */
  ingest(observations: readonly FlowObservation[], now: number): void {
    this.term?.service.ingest(observations, now);
  }

  async flush(): Promise<void> {
    await this.term?.service.flush();
  }

  async idle(): Promise<void> {
    await this.term?.service.idle();
  }

  /**
   * Stops detecting here (the consumer's fetch in hand is finished first) and for good; the
   * lease itself is released with the others (ctx.leases.close()).
   */
  async close(): Promise<void> {
    this.closed = true;
    if (this.term !== undefined) await this.end(this.term);
  }

  /**
   * Stops detecting here the way a process that dies does (tests stand one for it): the
   * consumer acknowledges nothing more, the service stores nothing more, no stop runs.
   */
  async crash(): Promise<void> {
    const term = this.term;
    this.closed = true;
    this.term = undefined;
    if (term === undefined) return;
    term.stopped = Promise.resolve();
    term.service.abandon();
    await term.consumer.abort();
  }

  private end(term: Term): Promise<void> {
    term.stopped ??= (async () => {
      if (this.term === term) this.term = undefined;
      await term.consumer.stop();
      await term.service.close();
      this.ctx.log.info("detection stopped here");
    })();
    return term.stopped;
  }
}
