// Detection with a flow bus: the DetectionService runs on one replica at a time, the holder of
// the lease `detection`, fed by the stream's durable consumer instead of the local flow feed.
//
//   lease taken ──> new DetectionService ──start()──> baseline, windows replayed from the
//                   store, stored open alerts restored ──> FlowConsumer (bus/consumer.ts)
//   lease lost / shutdown ──> consumer.stop() (the fetch in hand is ingested, stored, acked)
//                             ──> service.close() (alerts flushed, senders finished)
//
// Each term of the lease gets a fresh service: nothing of an earlier term's windows survives
// into a later one except through the store and the stream.
import type { FlowObservation } from "@microseg/insight";
import type { ControllerContext } from "../context.js";
import type { DetectionConfig } from "../detect/config.js";
import { DetectionService } from "../detect/service.js";
import type { FlowConsumer } from "./consumer.js";
import type { FlowBus } from "./flow-bus.js";
import type { Leases } from "./leases.js";

export const DETECTION_LEASE = "detection";

export class BusDetection {
  private service: DetectionService | undefined;
  private consumer: FlowConsumer | undefined;
  /** How many times this replica took the lease (tests, the log). */
  terms = 0;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly config: DetectionConfig,
    private readonly bus: FlowBus,
    private readonly leases: Leases,
  ) {}

  start(): void {
    this.leases.run(DETECTION_LEASE, async () => {
      const service = new DetectionService(this.ctx, this.config);
      await service.start(undefined, { takeover: true });
      this.service = service;
      this.consumer = this.bus.consume(service);
      this.terms++;
      this.ctx.log.info({ term: this.terms }, "detection lease taken: detecting for the estate");
      return async () => {
        const consumer = this.consumer;
        this.service = undefined;
        this.consumer = undefined;
        await consumer?.stop();
        await service.close();
        this.ctx.log.info("detection lease given up");
      };
    });
  }

  /** The running service while this replica holds the lease. */
  get current(): DetectionService | undefined {
    return this.service;
  }

  /** The consumer while this replica holds the lease. */
  get flowConsumer(): FlowConsumer | undefined {
    return this.consumer;
  }

  /** Feeds the running service directly (tests; nothing when another replica detects). */
  ingest(observations: readonly FlowObservation[], now: number): void {
    this.service?.ingest(observations, now);
  }

  async flush(): Promise<void> {
    await this.service?.flush();
  }

  async idle(): Promise<void> {
    await this.service?.idle();
  }

  /**
   * Stops detecting here the way a process that dies does (tests stand one for it): the
   * consumer acknowledges nothing more, the service stores nothing more, no stop runs. The
   * lease itself is left to expire or be taken.
   */
  async crash(): Promise<void> {
    const consumer = this.consumer;
    const service = this.service;
    this.consumer = undefined;
    this.service = undefined;
    service?.abandon();
    await consumer?.abort();
  }

  /** Gives the lease up (the consumer's fetch in hand is finished first); the bus stays open. */
  async close(): Promise<void> {
    await this.leases.release();
  }
}
