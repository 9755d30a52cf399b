// The agent's Prometheus metrics (only with --metrics-listen; metrics-server.ts serves them), in
// a registry of its own. Events arrive through AgentObserver, which the dataplane, the tamper
// watch, the policy long-poll and the flow sender call; the rest is read from the running agent
// when scraped.
//
//   DataplaneManager ──applied(ok, s)──> apply duration, failures, last apply time
//   TamperWatch ──restored()───────────> drift restores
//   syncPolicy ──contact(answered)─────> controller reachable
//   FlowSender ──flowsSent(records)────> flow batches and records sent
//   scrape ──RunningAgent──────────────> policy revision, flow buffer bytes and batches
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { RunningAgent } from "./agent.js";

/** What the agent's parts report as it works; every method is cheap and never throws. */
export interface AgentObserver {
  /** An apply of the dataplane finished, ok or not, after `seconds`. */
  applied(ok: boolean, seconds: number): void;
  /** The tamper watch re-applied a drifted table. */
  restored(): void;
  /** The long-poll got an answer from the controller (true) or none (false). */
  contact(answered: boolean): void;
  /** The controller took a flow batch of `records` records. */
  flowsSent(records: number): void;
}

/** prom-client's defaults that are gauges named like counters (promtool rejects them). */
const GAUGES_NAMED_TOTAL = [
  "nodejs_active_handles_total",
  "nodejs_active_requests_total",
  "nodejs_active_resources_total",
];

export class AgentMetrics implements AgentObserver {
  readonly registry = new Registry();
  private agent: RunningAgent | undefined;
  private readonly applySeconds: Histogram;
  private readonly applyFailures: Counter;
  private readonly lastApply: Gauge;
  private readonly restores: Counter;
  private readonly reachable: Gauge;
  private readonly batchesSent: Counter;
  private readonly recordsSent: Counter;

  constructor() {
    const registers = [this.registry];
    const agent = () => this.agent;
    new Gauge({
      name: "microseg_agent_policy_revision",
      help: "The controller revision the table enforces (0: none yet, or the before-first-policy default).",
      registers,
      collect() {
        this.set(agent()?.dataplane.enforced?.revision ?? 0);
      },
    });
    this.applySeconds = new Histogram({
      name: "microseg_agent_apply_duration_seconds",
      help: "Time of one table apply (nft transaction), successful or not.",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.applyFailures = new Counter({
      name: "microseg_agent_apply_failures_total",
      help: "Applies that failed (the previous table stayed in force).",
      registers,
    });
    this.lastApply = new Gauge({
      name: "microseg_agent_last_apply_timestamp_seconds",
      help: "When the last successful apply finished (Unix time; 0: none since start).",
      registers,
    });
    this.restores = new Counter({
      name: "microseg_agent_drift_restores_total",
      help: "Times the tamper watch found the table changed and re-applied it.",
      registers,
    });
    this.reachable = new Gauge({
      name: "microseg_agent_controller_reachable",
      help: "1 when the last policy long-poll got an answer from the controller, else 0.",
      registers,
    });
    new Gauge({
      name: "microseg_agent_flow_buffer_bytes",
      help: "Bytes of flow batches on disk waiting to be sent.",
      registers,
      collect() {
        this.set(agent()?.flows?.buffer.bytes ?? 0);
      },
    });
    new Gauge({
      name: "microseg_agent_flow_buffer_batches",
      help: "Flow batches on disk waiting to be sent.",
      registers,
      collect() {
        this.set(agent()?.flows?.buffer.pending ?? 0);
      },
    });
    this.batchesSent = new Counter({
      name: "microseg_agent_flow_batches_sent_total",
      help: "Flow batches the controller took.",
      registers,
    });
    this.recordsSent = new Counter({
      name: "microseg_agent_flow_records_sent_total",
      help: "Flow records in the batches the controller took.",
      registers,
    });
    collectDefaultMetrics({ register: this.registry });
    for (const name of GAUGES_NAMED_TOTAL) this.registry.removeSingleMetric(name);
  }

  /** The agent whose state the scrape-time gauges read. */
  watch(agent: RunningAgent): void {
    this.agent = agent;
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  applied(ok: boolean, seconds: number): void {
    this.applySeconds.observe(seconds);
    if (ok) this.lastApply.set(Date.now() / 1000);
    else this.applyFailures.inc();
  }

  restored(): void {
    this.restores.inc();
  }

  contact(answered: boolean): void {
    this.reachable.set(answered ? 1 : 0);
  }

  flowsSent(records: number): void {
    this.batchesSent.inc();
    this.recordsSent.inc(records);
  }
}
