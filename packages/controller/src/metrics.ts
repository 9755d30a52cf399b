// The controller's Prometheus metrics, in a registry of its own (never prom-client's global one:
// a process may hold several controllers, tests do). Served as text by GET /metrics
// (http/ops-routes.ts); the estate gauges read on scrape live in metrics-estate.ts.
//
//   HTTP middleware (app.ts) ──request()──────────────> microseg_http_requests_total,
//                                                        microseg_http_request_duration_seconds
//   provision/rollback ──published()──┐
//   agent status (ack) ──acknowledged()┴─PushTracker──> microseg_policy_push_latency_seconds
//   POST /agent/flows ──flowBatch()───────────────────> microseg_flow_batches_total,
//                                                        microseg_flow_records_total
//   detection (a new alert) ──alertRaised()───────────> microseg_alerts_raised_total
//   ingest -> flow bus ──busPublish()──────────────────> microseg_bus_publishes_total
//   bus detector (acked) ──busConsumed()──────────────> microseg_bus_consumed_messages_total
//   every store call (timed-store.ts) ──storeCall()───> microseg_store_operation_duration_seconds
import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

export interface MetricsOptions {
  /**
   * prom-client's process metrics (CPU, memory, event loop lag, GC). Each set runs its own
   * event-loop monitor, so only a controller that owns its process turns them on (main.ts).
   */
  readonly processMetrics?: boolean;
}

export type FlowBatchOutcome = "applied" | "duplicate" | "rejected";

/**
 * Gauges named like counters that prom-client's defaults add beside their labelled siblings
 * (each is the sum of nodejs_active_handles{type} etc.); promtool rejects a gauge ending in
 * _total, so they are left out.
 */
const GAUGES_NAMED_TOTAL = [
  "nodejs_active_handles_total",
  "nodejs_active_requests_total",
  "nodejs_active_resources_total",
];

/** prom-client's process metrics (CPU, memory, file descriptors, event loop lag, GC) in `registry`. */
export function processMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
  for (const name of GAUGES_NAMED_TOTAL) registry.removeSingleMetric(name);
}

/** Revisions whose acknowledgements are still awaited; older ones are forgotten. */
const TRACKED_REVISIONS = 8;

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

export class ControllerMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<"method" | "route" | "status_class">;
  private readonly requestSeconds: Histogram<"method" | "route">;
  private readonly pushSeconds: Histogram;
  private readonly flowBatches: Counter<"outcome">;
  private readonly flowRecords: Counter<"outcome">;
  private readonly alerts: Counter<"kind">;
  private readonly storeSeconds: Histogram<"operation">;
  private readonly busPublishes: Counter<"outcome">;
  private readonly busConsumedMessages: Counter;
  private readonly push = new PushTracker();

  constructor(opts: MetricsOptions = {}) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: "microseg_http_requests_total",
      help: "HTTP requests answered, by method, route pattern and status class (2xx, 4xx…).",
      labelNames: ["method", "route", "status_class"],
      registers,
    });
    this.requestSeconds = new Histogram({
      name: "microseg_http_request_duration_seconds",
      help: "Time to answer an HTTP request (an agent's long-poll is held up to 60 s).",
      labelNames: ["method", "route"],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.pushSeconds = new Histogram({
      name: "microseg_policy_push_latency_seconds",
      help: "From a revision made active to an agent whose RuleSet it changed acknowledging it applied.",
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    });
    this.flowBatches = new Counter({
      name: "microseg_flow_batches_total",
      help: "Agent flow batches: applied, duplicate (applied before, acknowledged again) or rejected (invalid, over quota, not stored).",
      labelNames: ["outcome"],
      registers,
    });
    this.flowRecords = new Counter({
      name: "microseg_flow_records_total",
      help: "Flow records of agent batches: accepted, stale (older than the retention) or rejected with their batch.",
      labelNames: ["outcome"],
      registers,
    });
    this.alerts = new Counter({
      name: "microseg_alerts_raised_total",
      help: "New alerts raised by detection, by kind (scan, lateral-movement, decoy…).",
      labelNames: ["kind"],
      registers,
    });
    this.busPublishes = new Counter({
      name: "microseg_bus_publishes_total",
      help: "Flow batches whose observations went to the flow bus (--bus): stored, or failed (answered 503).",
      labelNames: ["outcome"],
      registers,
    });
    this.busConsumedMessages = new Counter({
      name: "microseg_bus_consumed_messages_total",
      help: "Flow bus messages this replica's detector took and acknowledged (while it held the detection lease).",
      registers,
    });
    this.storeSeconds = new Histogram({
      name: "microseg_store_operation_duration_seconds",
      help: "Time of one store call (repo.method), e.g. flows.applyBatches (the flow ingest commit) and policy.provision.",
      labelNames: ["operation"],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    if (opts.processMetrics === true) processMetrics(this.registry);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text (gauges computed now). */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  /** `route` is the matched pattern (/api/v1/workloads/:name), never the raw path. */
  request(method: string, route: string, status: number, seconds: number): void {
    const m = METHODS.has(method) ? method : "OTHER";
    const statusClass = `${Math.trunc(status / 100)}xx`;
    this.requests.inc({ method: m, route, status_class: statusClass });
    this.requestSeconds.observe({ method: m, route }, seconds);
  }

  /** A revision became active; `workloads` are those whose RuleSet it changed. */
  published(revision: number, workloads: readonly string[]): void {
    this.push.published(revision, workloads, performance.now());
  }

  /** An agent of `workload` reported `revision` applied (every report repeats it: counted once). */
  acknowledged(revision: number, workload: string): void {
    const ms = this.push.acknowledged(revision, workload, performance.now());
    if (ms !== undefined) this.pushSeconds.observe(ms / 1000);
  }

  /**
   * One agent flow batch of `records` records: an applied batch's are accepted but the `stale`
   * ones, a rejected batch's are rejected, a duplicate's were counted when it was first applied.
   */
  flowBatch(outcome: FlowBatchOutcome, records: number, stale = 0): void {
    this.flowBatches.inc({ outcome });
    if (outcome === "rejected") this.flowRecords.inc({ outcome: "rejected" }, records);
    if (outcome !== "applied") return;
    this.flowRecords.inc({ outcome: "accepted" }, records - stale);
    this.flowRecords.inc({ outcome: "stale" }, stale);
  }

  alertRaised(kind: string): void {
    this.alerts.inc({ kind });
  }

  busPublish(outcome: "stored" | "failed"): void {
    this.busPublishes.inc({ outcome });
  }

  busConsumed(messages: number): void {
    this.busConsumedMessages.inc(messages);
  }

  storeCall(operation: string, seconds: number): void {
    this.storeSeconds.observe({ operation }, seconds);
  }
}

/**
 * Publication times of the last few revisions and the workloads still to acknowledge each. An
 * acknowledgement is measured once: its workload leaves the set. A workload whose agent skips a
 * revision (a newer one came first) stays in the older set until that revision is forgotten.
 */
export class PushTracker {
  private readonly pending = new Map<number, { at: number; waiting: Set<string> }>();

  published(revision: number, workloads: readonly string[], now: number): void {
    if (workloads.length === 0) return;
    this.pending.set(revision, { at: now, waiting: new Set(workloads) });
    while (this.pending.size > TRACKED_REVISIONS) {
      this.pending.delete(this.pending.keys().next().value as number);
    }
  }

  /** ms since `revision` was published, the first time `workload` acknowledges it. */
  acknowledged(revision: number, workload: string, now: number): number | undefined {
    const p = this.pending.get(revision);
    if (p === undefined || !p.waiting.delete(workload)) return undefined;
    if (p.waiting.size === 0) this.pending.delete(revision);
    return now - p.at;
  }
}
