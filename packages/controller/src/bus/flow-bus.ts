// The flow bus: NATS JetStream between the replicas that ingest flows and the one that detects.
//
//   every replica: ingest ──publish(batchKey, observations, now)──> stream MICROSEG_FLOWS
//                           (one message per partition of the batch, partition.ts; awaited: the
//                           agent's batch is acknowledged only once JetStream stored it)
//   the `detection` lease holder: durable pull consumer "detection" ──> consumer.ts ──> engine
//
// The stream: file storage, 3 replicas when the cluster has at least 3 servers (else 1), kept
// 24 h (older observations are past every detection window), duplicate window 2 min. Made by
// whichever replica connects first; an existing stream is left as it is (an operator may have
// tuned it). The consumer: explicit acks, all partitions, delivered again after ackWaitMs.
import { MicrosegError } from "@microseg/core";
import type { FlowObservation } from "@microseg/insight";
import { ApiError } from "@microseg/protocol";
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
} from "@nats-io/jetstream";
import { connect, type NatsConnection, nanos } from "@nats-io/transport-node";
import type { Logger } from "pino";
import { type DetectionTarget, FlowConsumer } from "./consumer.js";
import { encodeMessage } from "./message.js";
import { ALL_SUBJECTS, byPartition, messageId, subjectOf } from "./partition.js";

export const STREAM = "MICROSEG_FLOWS";
export const DETECTOR = "detection";
const MAX_AGE_MS = 24 * 3_600_000;
const DUPLICATE_WINDOW_MS = 120_000;
const RETRY_MS = 200;

export interface FlowBusOptions {
  /** nats://host:port URLs of the cluster (--bus); any one that answers will do. */
  readonly servers: readonly string[];
  readonly log: Logger;
  /** A delivered message not acknowledged within this is delivered again (default 30 s). */
  readonly ackWaitMs?: number;
  /** How long one publish keeps trying through reconnects and leader elections (default 10 s). */
  readonly publishTimeoutMs?: number;
  /** The connection's name in the servers' monitoring (default "microseg-controller"). */
  readonly name?: string;
}

export class FlowBus {
  private constructor(
    readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly opts: FlowBusOptions,
    /** The stream's replica count, as found or made. */
    readonly replicas: number,
  ) {}

  /** Connects, makes the stream and the detector's consumer when missing (MSEG_BUS_UNAVAILABLE). */
  static async connect(opts: FlowBusOptions): Promise<FlowBus> {
    let nc: NatsConnection;
    try {
      nc = await connect({
        servers: [...opts.servers],
        name: opts.name ?? "microseg-controller",
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
        timeout: 5_000,
      });
    } catch (err) {
      throw unavailable(`none of ${opts.servers.join(", ")} answered (${String(err)})`);
    }
    try {
      const jsm = await jetstreamManager(nc, { timeout: 10_000 });
      const replicas = await ensureStream(jsm, clusterSize(nc), opts.log);
      await ensureConsumer(jsm, opts.ackWaitMs ?? 30_000);
      opts.log.info({ servers: opts.servers, replicas }, "flow bus connected");
      return new FlowBus(nc, jetstream(nc), opts, replicas);
    } catch (err) {
      await nc.close().catch(() => {});
      if (err instanceof MicrosegError) throw err;
      throw unavailable(`JetStream did not answer (${String(err)}); run nats-server with -js`);
    }
  }

  /**
   * Publishes a batch's observations, one message per partition, each retried (same message id:
   * JetStream keeps one) until stored or publishTimeoutMs passed (then MSEG_BUS_UNAVAILABLE).
   */
  async publish(
    batchKey: string,
    observations: readonly FlowObservation[],
    now: number,
  ): Promise<void> {
    if (observations.length === 0) return;
    const parts = [...byPartition(observations)];
    await Promise.all(parts.map(([p, list]) => this.publishOne(p, batchKey, list, now)));
  }

  private async publishOne(
    p: number,
    batchKey: string,
    list: readonly FlowObservation[],
    now: number,
  ): Promise<void> {
    const data = encodeMessage(now, list);
    const msgID = messageId(batchKey, p);
    const deadline = performance.now() + (this.opts.publishTimeoutMs ?? 10_000);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.js.publish(subjectOf(p), data, { msgID, timeout: 2_000 });
        return;
      } catch (err) {
        if (performance.now() + RETRY_MS >= deadline || this.nc.isClosed()) {
          throw unavailable(`publishing ${msgID} failed after ${attempt} attempts: ${String(err)}`);
        }
        this.opts.log.debug({ err, msgID, attempt }, "flow bus publish retried");
        await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    }
  }

  /** Starts consuming as the detector: each fetched batch goes to `target`, then is acked. */
  consume(target: DetectionTarget): FlowConsumer {
    const consumer = new FlowConsumer(this.js, STREAM, DETECTOR, target, this.opts.log);
    consumer.start();
    return consumer;
  }

  /** Drains what is in flight, then closes the connection. */
  async close(): Promise<void> {
    if (this.nc.isClosed()) return;
    await this.nc.drain().catch(() => this.nc.close());
  }
}

/** How many servers the cluster has: those the server told us of, at least the ones given. */
function clusterSize(nc: NatsConnection): number {
  return Math.max(1, nc.info?.connect_urls?.length ?? 1);
}

async function ensureStream(jsm: JetStreamManager, size: number, log: Logger): Promise<number> {
  const existing = await jsm.streams.info(STREAM).catch(() => undefined);
  if (existing !== undefined) return existing.config.num_replicas;
  const num_replicas = size >= 3 ? 3 : 1;
  try {
    await jsm.streams.add({
      name: STREAM,
      subjects: [ALL_SUBJECTS],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      num_replicas,
      max_age: nanos(MAX_AGE_MS),
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    });
    log.info({ stream: STREAM, replicas: num_replicas }, "flow stream created");
    return num_replicas;
  } catch (err) {
    // Another replica made it meanwhile.
    const made = await jsm.streams.info(STREAM).catch(() => undefined);
    if (made === undefined) throw err;
    return made.config.num_replicas;
  }
}

async function ensureConsumer(jsm: JetStreamManager, ackWaitMs: number): Promise<void> {
  const config = {
    durable_name: DETECTOR,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: ALL_SUBJECTS,
    ack_wait: nanos(ackWaitMs),
    max_ack_pending: 20_000,
  };
  const existing = await jsm.consumers.info(STREAM, DETECTOR).catch(() => undefined);
  if (existing === undefined) {
    try {
      await jsm.consumers.add(STREAM, config);
      return;
    } catch (err) {
      if ((await jsm.consumers.info(STREAM, DETECTOR).catch(() => undefined)) === undefined) {
        throw err;
      }
    }
  }
  if (existing !== undefined && existing.config.ack_wait !== config.ack_wait) {
    await jsm.consumers.update(STREAM, DETECTOR, { ack_wait: config.ack_wait });
  }
}

/** An ApiError: a publish that fails answers the agent 503 (agent-failure.ts passes it on). */
function unavailable(why: string): ApiError {
  return new ApiError(
    "MSEG_BUS_UNAVAILABLE",
    `--bus: ${why}; check that nats-server runs with JetStream (-js) at the URLs given`,
  );
}
