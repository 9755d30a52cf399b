// Alert delivery with marks that survive restarts. An alert is news when it is new, or its
// severity rose above what was sent: the store's `delivered` mark, or what this run already
// handed to the senders. News goes to every webhook and syslog target as one event
// (`ALERT_ID:SEVERITY`); once every sender is done with it (delivered, or given up) and the
// caller's follow-up (automatic quarantine) has run, the store marks it delivered.
//
//   stored alert ──news?──> webhooks, syslog ──all done──> store.alerts.markDeliveredMany
//                                                          (the marks due in one turn together)
//
// So a restart sends nothing again that was done, and sends (with the same event id, which
// receivers de-duplicate by) what was not: an event cut off by a shutdown is `closed`, never
// marked. Across a crash this is at-least-once; across a clean restart, exactly once.
import { hostname } from "node:os";
import type { AlertRecord, AlertSeverity } from "@microseg/store";
import type { ControllerContext } from "../context.js";
import { syslogLine } from "./cef.js";
import type { DetectionConfig } from "./config.js";
import { toWire } from "./records.js";
import { SyslogSender } from "./syslog.js";
import {
  DEFAULT_WEBHOOK_OPTIONS,
  type DeliveryOutcome,
  signedWith,
  type WebhookOptions,
  WebhookSender,
} from "./webhook.js";

/** What this run handed to the senders is remembered for the newest this many alerts. */
const MAX_SENT = 10_000;
const RANK: readonly AlertSeverity[] = ["low", "medium", "high", "critical"];

/** The event an alert at its severity is: the same id on every attempt and after a restart. */
export function alertEventId(a: Pick<AlertRecord, "id" | "severity">): string {
  return `${a.id}:${a.severity}`;
}

export class AlertDelivery {
  private readonly webhooks: WebhookSender[];
  private readonly syslog: SyslogSender[];
  /** alert id -> the severity handed to the senders in this run (insertion order: oldest first). */
  private readonly sent = new Map<string, AlertSeverity>();
  private readonly pending = new Set<Promise<void>>();
  /** Marks due, written together on the next turn (markDeliveredMany). */
  private marks: { id: string; severity: AlertSeverity; resolve: () => void }[] = [];
  private readonly drainMs: number;

  constructor(
    private readonly ctx: ControllerContext,
    config: DetectionConfig,
    private readonly version: string,
    webhookOptions: Partial<WebhookOptions>,
  ) {
    this.drainMs = webhookOptions.drainMs ?? DEFAULT_WEBHOOK_OPTIONS.drainMs;
    const options = { ...webhookOptions, ...signedWith(config.webhookSecret) };
    this.webhooks = config.webhooks.map((u) => new WebhookSender(u, ctx.log, options));
    this.syslog = config.syslog.map((t) => new SyslogSender(t, ctx.log));
  }

  /** Never delivered nor handed to the senders: raised since the last look (metrics). */
  isNew(a: AlertRecord): boolean {
    return a.delivered === undefined && !this.sent.has(a.id);
  }

  /** New, or its severity above both the stored mark and what this run sent. */
  isNews(a: AlertRecord): boolean {
    const done = Math.max(rank(a.delivered), rank(this.sent.get(a.id)));
    return RANK.indexOf(a.severity) > done;
  }

  /**
   * Hands the alert to every sender; when all are done with it and `followUp` settled, marks it
   * delivered (unless a sender was closed first: then a restarted controller sends it again).
   */
  publish(a: AlertRecord, followUp: Promise<unknown> = Promise.resolve()): void {
    this.sent.delete(a.id);
    this.sent.set(a.id, a.severity);
    if (this.sent.size > MAX_SENT) this.sent.delete(this.sent.keys().next().value as string);
    this.ctx.log.warn(
      { alert: a.id, kind: a.kind, severity: a.severity, source: a.source, incident: a.incident },
      a.summary,
    );
    const event = { id: alertEventId(a), type: "alert", data: { alerts: [toWire(a)] } };
    const outcomes: Promise<DeliveryOutcome>[] = this.webhooks.map((w) => w.send(event));
    if (this.syslog.length > 0) {
      const line = syslogLine(a, this.version, hostname(), this.ctx.clock());
      for (const s of this.syslog) outcomes.push(s.send(line));
    }
    const settled = followUp.catch(() => undefined);
    const mark = Promise.all([...outcomes, settled]).then(async ([...results]) => {
      if (results.includes("closed")) return;
      await this.mark(a.id, a.severity);
    });
    this.pending.add(mark);
    void mark.finally(() => this.pending.delete(mark));
  }

  /**
   * Writes the mark with the others due in this turn of the event loop, in one transaction (the
   * news of one flush are usually done together); resolves once it is written, or logged.
   */
  private mark(id: string, severity: AlertSeverity): Promise<void> {
    return new Promise((resolve) => {
      this.marks.push({ id, severity, resolve });
      if (this.marks.length === 1) setImmediate(() => void this.writeMarks());
    });
  }

  private async writeMarks(): Promise<void> {
    const group = this.marks;
    this.marks = [];
    try {
      await this.ctx.store.alerts.markDeliveredMany(group);
    } catch (err) {
      const alerts = group.map((m) => m.id);
      this.ctx.log.error({ err, alerts }, "the alerts' delivery could not be recorded");
    }
    for (const m of group) m.resolve();
  }

  /** Resolves when every event handed over so far is done with and its mark written. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /**
   * Gives the senders up to `drainMs` (WebhookOptions) to finish, then closes them: what they
   * had not finished stays unmarked (sent again after a restart). Marks already due are written
   * before this resolves, so close it before the store.
   */
  async close(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.idle(),
      new Promise<void>((r) => {
        timer = setTimeout(r, this.drainMs);
      }),
    ]);
    clearTimeout(timer);
    await Promise.all([
      ...this.webhooks.map((w) => w.close()),
      ...this.syslog.map((s) => s.close()),
    ]);
    await this.idle();
  }
}

function rank(s: AlertSeverity | undefined): number {
  return s === undefined ? -1 : RANK.indexOf(s);
}
