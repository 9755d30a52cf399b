// The controller's detection loop.
//
//   flow stream ──ingest(observations, now)──> DetectionEngine ──changed alerts──┐
//   timer (gapCheckMs) ──agents + hub hashes──> engine.checkAgents ─────────────┤
//                                                                              v
//        pending (one entry per alert id) ──drain, within 250 ms──> store.alerts.upsertMany
//                                                     (one transaction)
//                                                     └─> news? (new, or its severity rose above
//                                                         the stored delivery mark: never one
//                                                         message per update)
//                                                          ├─> auto-quarantine (kind, min severity)
//                                                          └─> AlertDelivery: webhooks, syslog,
//                                                              then store.alerts.markDeliveredMany
//
// ingest() is synchronous and cheap: the engine runs in memory and the store writes happen in
// one background flush at a time, so a slow store or receiver never holds up flow ingest.
//
// start() after a restart: the baseline from stored allowed edges, then the contact windows
// rebuilt by replaying the last window's blocked and would-block edges (their raises dropped),
// then the stored open alerts put back into the engine (the same scan goes on updating the same
// alert), then whatever of them had not been delivered is sent (history.ts, delivery.ts).
import {
  type AgentGapState,
  type DetectedAlert,
  DetectionEngine,
  type FlowObservation,
  severityRank,
} from "@microseg/insight";
import type { AlertRecord } from "@microseg/store";
import type { ControllerContext } from "../context.js";
import type { DetectionConfig } from "./config.js";
import { AlertDelivery } from "./delivery.js";
import { recentObservations, unresolvedAlerts } from "./history.js";
import { quarantineWorkload } from "./quarantine.js";
import { fromRecord, toRecord } from "./records.js";
import { HubView } from "./view.js";
import type { WebhookOptions } from "./webhook.js";

const BASELINE_DAYS = 30;
/** Open alerts this old are still sent at start when they had not been (a crash, a shutdown). */
const RESEND_MS = 24 * 3_600_000;
const AUTO_ACTOR = "auto-quarantine";
/** How long raised alerts wait for more before they are stored (and then sent) together. */
export const ALERT_LINGER_MS = 250;
/** Who resolves an enforcement-gap alert once its agent is back in order (audited). */
const RESOLVER = "detection";

/** The flow stream (flows/flow-feed.ts): resolved observations of every applied agent batch. */
export interface FlowSubscription {
  subscribe(listener: (observations: readonly FlowObservation[], now: number) => void): () => void;
}

export interface StartOptions {
  /**
   * The detector of a flow bus taking over from another (bus/bus-detection.ts): what the stored
   * flows raise on top of the stored alerts is kept (resume()), and the gap checks run in this
   * service, already under the lease `detection`, not under a lease of their own.
   */
  readonly onBus?: boolean;
}

export class DetectionService {
  readonly engine: DetectionEngine;
  readonly view: HubView;
  private readonly delivery: AlertDelivery;
  private pending = new Map<string, DetectedAlert>();
  private flushing: Promise<void> | undefined;
  /** Ends the current drain's wait for more alerts (flush). */
  private lingering: (() => void) | undefined;
  private closed = false;
  /** Ends the gap checks when this service is a bus detector (they run under its lease). */
  private stopGapChecks: (() => void) | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly config: DetectionConfig,
    version = "0.1.0",
    webhookOptions: Partial<WebhookOptions> = {},
  ) {
    const now = () => ctx.clock().getTime();
    this.view = new HubView(ctx.hub, config.decoys, now);
    this.engine = new DetectionEngine(this.view, {
      offlineAfterMs: ctx.settings.heartbeatSeconds * 3 * 1000,
      ...config.options,
    });
    this.delivery = new AlertDelivery(ctx, config, version, webhookOptions);
    this.view.suspect = (source, at) => this.engine.isSuspect(source, at);
  }

  /**
   * Loads the baseline and the detection state from stored history (see the top of this file),
   * subscribes to the flow stream (when given) and starts the enforcement-gap timer.
   */
  async start(feed?: FlowSubscription, opts: StartOptions = {}): Promise<void> {
    const now = this.ctx.clock().getTime();
    const since = now - BASELINE_DAYS * 86_400_000;
    const edges = await this.ctx.store.flows.edges({ since, verdict: "allowed" });
    this.view.learnStored(edges);
    this.ctx.log.info({ baseline: this.view.baseline.size }, "detection baseline loaded");
    await this.resume(now, opts.onBus === true);
    this.unsubscribe = feed?.subscribe((observations, now) => this.ingest(observations, now));
    if (this.config.gapCheckMs <= 0) return;
    const startGapChecks = () => {
      const timer = setInterval(() => void this.checkGaps(), this.config.gapCheckMs);
      timer.unref();
      return () => clearInterval(timer);
    };
    // Already the one detector (the lease "detection"): the checks run here, with the rest.
    // Otherwise one replica checks (the lease "gap-check"): each would raise the same alerts.
    if (opts.onBus === true) this.stopGapChecks = startGapChecks();
    else this.ctx.leases.run("gap-check", startGapChecks);
  }

  /**
   * Rebuilds the windows, restores the open alerts, sends what had not been sent. A takeover
   * restores first and keeps what the replay raises: the stored flows may hold contacts whose
   * alert updates the last detector never stored (it died between its consumer's fetch and the
   * alert's write); replayed into the restored alerts, they are counted, and the stream's second
   * delivery of them is no fresh contact, so nothing is counted twice.
   */
  private async resume(now: number, takeover: boolean): Promise<void> {
    const o = this.engine.options;
    const window = Math.max(o.scanWindowMs, o.spreadWindowMs, o.lateralWindowMs);
    const replayed = await recentObservations(this.ctx.store, now, window);
    const open = await unresolvedAlerts(this.ctx.store, now - RESEND_MS);
    if (takeover) {
      this.engine.restore(open.map(fromRecord), now);
      this.queue(this.engine.observe(replayed, now));
    } else {
      this.engine.observe(replayed, now);
      this.engine.restore(open.map(fromRecord), now);
    }
    let resent = 0;
    for (const a of open) if (await this.offer(a)) resent++;
    this.ctx.log.info(
      { replayed: replayed.length, restored: open.length, resent },
      "detection state restored",
    );
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
    while (this.flushing !== undefined) {
      this.lingering?.();
      await this.flushing;
    }
  }

  /** Flushes, then waits until the senders are done and the delivery marks written (tests). */
  async idle(): Promise<void> {
    await this.flush();
    await this.delivery.idle();
  }

  /** Stops; gives the senders a moment to finish (what they do not is sent after a restart). */
  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe?.();
    this.stopGapChecks?.();
    await this.flush();
    await this.delivery.close();
  }

  /**
   * Stops at once, storing and sending nothing more (alerts waiting for the linger are dropped):
   * what a detector that lost its lease to another, or a process that died, leaves behind.
   */
  abandon(): void {
    this.closed = true;
    this.unsubscribe?.();
    this.stopGapChecks?.();
    this.pending = new Map();
  }

  private queue(alerts: readonly DetectedAlert[]) {
    if (alerts.length === 0) return;
    for (const a of alerts) this.pending.set(a.id, a);
    this.flushing ??= this.drain().finally(() => {
      this.flushing = undefined;
    });
  }

  private async drain(): Promise<void> {
    // Alerts raised within ALERT_LINGER_MS of each other are stored together: one transaction
    // (and one sync to disk) for the alerts of many flow batches, where one per event-loop turn
    // cost detection a fifth of a busy ingest's time. flush() ends the wait at once.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.lingering?.(), ALERT_LINGER_MS);
      this.lingering = () => {
        clearTimeout(timer);
        this.lingering = undefined;
        resolve();
      };
    });
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
        if (this.delivery.isNew(a)) this.ctx.metrics.alertRaised(a.kind);
        await this.offer(a);
      }
    }
  }

  /**
   * A stored alert that is news (new, or its severity rose above what was delivered) goes to
   * the senders and may quarantine its source: once per alert and severity, also across
   * restarts, so a release by an operator stands until the alert gets worse.
   */
  private async offer(a: AlertRecord): Promise<boolean> {
    if (!this.delivery.isNews(a)) return false;
    const quarantine = this.maybeQuarantine(a).catch((err: unknown) => {
      this.ctx.log.error({ err, alert: a.id }, "automatic quarantine failed");
    });
    this.delivery.publish(a, quarantine);
    await quarantine;
    return true;
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
