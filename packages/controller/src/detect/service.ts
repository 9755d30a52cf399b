// The controller's detection loop.
//
//   flow stream ──ingest(observations, now)──> DetectionEngine ──changed alerts──┐
//   timer (gapCheckMs) ──agents + hub hashes──> engine.checkAgents ─────────────┤
//                                                                              v
//        pending (one entry per alert id) ──flush──> store.alerts.upsertMany (one transaction)
//                                                     ├─> webhooks / syslog (new alert, or its
//                                                     │   severity rose: never one per update)
//                                                     └─> auto-quarantine (per kind, min severity)
//
// ingest() is synchronous and cheap: the engine runs in memory and the store writes happen in
// one background flush at a time, so a slow store or receiver never holds up flow ingest.
import { hostname } from "node:os";
import {
  type AgentGapState,
  type DetectedAlert,
  DetectionEngine,
  type FlowObservation,
  severityRank,
} from "@microseg/insight";
import type { AlertRecord } from "@microseg/store";
import type { ControllerContext } from "../context.js";
import { syslogLine } from "./cef.js";
import type { DetectionConfig } from "./config.js";
import { quarantineWorkload } from "./quarantine.js";
import { toRecord, toWire } from "./records.js";
import { SyslogSender } from "./syslog.js";
import { HubView } from "./view.js";
import { type WebhookOptions, WebhookSender } from "./webhook.js";

const BASELINE_DAYS = 30;
const MAX_DELIVERED = 10_000;
const AUTO_ACTOR = "auto-quarantine";
/** Who resolves an enforcement-gap alert once its agent is back in order (audited). */
const RESOLVER = "detection";

/** The flow stream (flows/flow-feed.ts): resolved observations of every applied agent batch. */
export interface FlowSubscription {
  subscribe(listener: (observations: readonly FlowObservation[], now: number) => void): () => void;
}

export class DetectionService {
  readonly engine: DetectionEngine;
  readonly view: HubView;
  private readonly webhooks: WebhookSender[];
  private readonly syslog: SyslogSender[];
  private pending = new Map<string, DetectedAlert>();
  private flushing: Promise<void> | undefined;
  private readonly delivered = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly config: DetectionConfig,
    private readonly version = "0.1.0",
    webhookOptions: Partial<WebhookOptions> = {},
  ) {
    const now = () => ctx.clock().getTime();
    this.view = new HubView(ctx.hub, config.decoys, now);
    this.engine = new DetectionEngine(this.view, {
      offlineAfterMs: ctx.settings.heartbeatSeconds * 3 * 1000,
      ...config.options,
    });
    this.view.suspect = (source, at) => this.engine.isSuspect(source, at);
    this.webhooks = config.webhooks.map((u) => new WebhookSender(u, ctx.log, webhookOptions));
    this.syslog = config.syslog.map((t) => new SyslogSender(t, ctx.log));
  }

  /**
   * Loads the baseline from stored history, subscribes to the flow stream (when given) and starts
   * the enforcement-gap timer.
   */
  async start(feed?: FlowSubscription): Promise<void> {
    const since = this.ctx.clock().getTime() - BASELINE_DAYS * 86_400_000;
    const edges = await this.ctx.store.flows.edges({ since, verdict: "allowed" });
    this.view.learnStored(edges);
    this.ctx.log.info({ baseline: this.view.baseline.size }, "detection baseline loaded");
    this.unsubscribe = feed?.subscribe((observations, now) => this.ingest(observations, now));
    if (this.config.gapCheckMs > 0) {
      this.timer = setInterval(() => void this.checkGaps(), this.config.gapCheckMs);
      this.timer.unref();
    }
  }

  /** One batch of resolved observations from the flow stream (never throws, never waits). */
  ingest(observations: readonly FlowObservation[], now: number): void {
    if (this.closed) return;
    try {
      // Learn-mode workloads build the baseline: what they report is known before detection
      // looks at it (decoys still count), so a fresh estate's first traffic raises nothing.
      this.view.learn(observations);
      this.queue(this.engine.observe(observations, now));
    } catch (err) {
      this.ctx.log.error({ err }, "detection failed on a flow batch");
    }
  }

  /** Checks agents for enforcement gaps now (the timer calls this). */
  async checkGaps(): Promise<void> {
    if (this.closed) return;
    try {
      const agents = await this.ctx.store.agents.list();
      const states: AgentGapState[] = agents.map((a) => ({
        workload: a.workload,
        lastHeartbeat: a.lastHeartbeat === null ? undefined : Date.parse(a.lastHeartbeat),
        drift: a.drift,
        appliedHash: a.appliedHash ?? undefined,
        expectedHash: this.ctx.hub.ruleSet(a.workload)?.hash,
        revoked: a.revoked,
      }));
      this.queue(this.engine.checkAgents(states, this.ctx.clock().getTime()));
      for (const id of this.engine.takeClearedGaps()) {
        await this.flush();
        await this.ctx.store.alerts.setStatus(id, "resolved", RESOLVER);
      }
    } catch (err) {
      this.ctx.log.error({ err }, "enforcement-gap check failed");
    }
  }

  /** Resolves when every alert raised so far is stored and handed to its senders. */
  async flush(): Promise<void> {
    while (this.flushing !== undefined) await this.flushing;
  }

  /** Flushes, then waits for webhook queues to drain (tests). */
  async idle(): Promise<void> {
    await this.flush();
    await Promise.all(this.webhooks.map((w) => w.idle()));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe?.();
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.flush();
    await Promise.all([
      ...this.webhooks.map((w) => w.close()),
      ...this.syslog.map((s) => s.close()),
    ]);
  }

  private queue(alerts: readonly DetectedAlert[]) {
    if (alerts.length === 0) return;
    for (const a of alerts) this.pending.set(a.id, a);
    this.flushing ??= this.drain().finally(() => {
      this.flushing = undefined;
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.size > 0) {
      const batch = [...this.pending.values()];
      this.pending = new Map();
      let stored: AlertRecord[];
      try {
        // One transaction for every alert a batch of flows changed (a commit costs far more
        // than the rows it writes).
        stored = await this.ctx.store.alerts.upsertMany(batch.map(toRecord));
      } catch (err) {
        this.ctx.log.error({ err, alerts: batch.map((a) => a.id) }, "alerts could not be stored");
        continue;
      }
      for (const a of stored) {
        this.deliver(a);
        try {
          await this.maybeQuarantine(a);
        } catch (err) {
          this.ctx.log.error({ err, alert: a.id }, "automatic quarantine failed");
        }
      }
    }
  }

  /** New alerts, and alerts whose severity rose, go to every sender. */
  private deliver(a: AlertRecord) {
    if (this.delivered.get(a.id) === a.severity) return;
    if (this.delivered.size >= MAX_DELIVERED) this.delivered.clear();
    this.delivered.set(a.id, a.severity);
    this.ctx.log.warn(
      { alert: a.id, kind: a.kind, severity: a.severity, source: a.source, incident: a.incident },
      a.summary,
    );
    const wire = toWire(a);
    for (const w of this.webhooks) w.send(wire);
    if (this.syslog.length > 0) {
      const line = syslogLine(a, this.version, hostname(), this.ctx.clock());
      for (const s of this.syslog) s.send(line);
    }
  }

  private async maybeQuarantine(a: AlertRecord) {
    const min = this.config.autoQuarantine.get(a.kind as never);
    if (min === undefined || severityRank(a.severity) < severityRank(min)) return;
    if (this.ctx.hub.storedWorkload(a.source) === undefined) return;
    if (this.ctx.hub.quarantineOf(a.source) !== undefined) return;
    await quarantineWorkload(
      this.ctx,
      a.source,
      { reason: `automatic: ${a.kind} alert ${a.id} (${a.severity}): ${a.summary}`, forensic: [] },
      AUTO_ACTOR,
    );
  }
}
