// Audit anchors: the head of the audit chain, exported outside the database so that cutting
// entries off the end (or a rewrite by someone who holds the key) shows up in a later
// `microseg audit verify --anchors`. An anchor is {seq, hash, at}; it goes out
//   - as a log line (always):   {"level":30,…,"anchor":{"seq":120,"hash":"3f…","at":"…"},"msg":"audit anchor"}
//   - to every --alert-webhook:  POST {"schemaVersion":1,"id":"anchor-SEQ-HASH16","type":"audit-anchor","anchors":[{seq, hash, at}]}
//   - to every --alert-syslog:   <166>1 AT HOST microseg - - - CEF:0|microseg|microseg|V|audit-anchor|audit log head|1|rt=MS cn1Label=seq cn1=SEQ cs1Label=hash cs1=HASH
// at start, every `intervalMs` when the head moved since the last export, and at shutdown. The
// senders are the alert channels' own classes (detect/webhook.ts, detect/syslog.ts).
import { hostname } from "node:os";
import type { Store } from "@microseg/store";
import type { Logger } from "pino";
import { cefValueEscape, headerToken } from "../detect/cef.js";
import type { SyslogTarget } from "../detect/config.js";
import { SyslogSender } from "../detect/syslog.js";
import { signedWith, type WebhookOptions, WebhookSender } from "../detect/webhook.js";

export interface Anchor {
  readonly seq: number;
  readonly hash: string;
  readonly at: string;
}

export interface AnchorConfig {
  /** How often the head is exported when it moved (ms); 0: only at start and shutdown. */
  readonly intervalMs: number;
  readonly webhooks: readonly string[];
  /** Signs the webhook requests as alerts' are (--alert-webhook-secret). */
  readonly webhookSecret?: string;
  readonly syslog: readonly SyslogTarget[];
}

export const DEFAULT_ANCHOR_INTERVAL_MS = 5 * 60_000;
/** How long shutdown waits for the last anchor to reach the webhooks and syslog. */
const DRAIN_MS = 3000;
const FACILITY_LOCAL4 = 20;
const SEVERITY_INFO = 6;

export class AuditAnchors {
  private readonly webhooks: WebhookSender[];
  private readonly syslog: SyslogSender[];
  private last: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private udpSent = 0;

  constructor(
    private readonly store: Pick<Store, "audit">,
    private readonly config: AnchorConfig,
    private readonly log: Logger,
    private readonly clock: () => Date = () => new Date(),
    private readonly version = "0.1.0",
    webhookOptions: Partial<WebhookOptions> = {},
  ) {
    const options = { ...webhookOptions, ...signedWith(config.webhookSecret) };
    this.webhooks = config.webhooks.map((u) => new WebhookSender(u, log, options));
    this.syslog = config.syslog.map((t) => new SyslogSender(t, log));
  }

  /** Exports the head now, then on the timer. */
  start(): void {
    this.tick();
    if (this.config.intervalMs > 0) {
      this.timer = setInterval(() => this.tick(), this.config.intervalMs);
      this.timer.unref();
    }
  }

  /** Exports the head when it differs from the last one exported; answers what went out. */
  async exportNow(): Promise<Anchor | undefined> {
    const head = await this.store.audit.head();
    if (head === undefined || `${head.seq}:${head.hash}` === this.last) return undefined;
    this.last = `${head.seq}:${head.hash}`;
    const anchor: Anchor = { seq: head.seq, hash: head.hash, at: this.clock().toISOString() };
    this.log.info({ anchor }, "audit anchor");
    const event = {
      id: `anchor-${anchor.seq}-${anchor.hash.slice(0, 16)}`,
      type: "audit-anchor",
      data: { anchors: [anchor] },
    };
    for (const w of this.webhooks) void w.send(event);
    if (this.syslog.length > 0) {
      const line = anchorSyslogLine(anchor, this.version, hostname());
      for (const s of this.syslog) s.send(line);
      this.udpSent += this.syslog.filter((s) => s.target.transport === "udp").length;
    }
    return anchor;
  }

  /** Stops the timer, exports the final head, and gives the senders a moment to deliver it. */
  async close(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.running;
    try {
      await this.exportNow();
    } catch (err) {
      this.log.error({ err }, "the audit anchor could not be read at shutdown");
    }
    const deadline = Date.now() + DRAIN_MS;
    await Promise.race([
      Promise.all(this.webhooks.map((w) => w.idle())),
      new Promise((r) => setTimeout(r, DRAIN_MS)),
    ]);
    while (this.udpDone() < this.udpSent && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
    }
    await Promise.all([
      ...this.webhooks.map((w) => w.close()),
      ...this.syslog.map((s) => s.close()),
    ]);
  }

  private tick(): void {
    this.running = this.running
      .then(() => this.exportNow())
      .catch((err: unknown) => this.log.error({ err }, "the audit anchor could not be exported"));
  }

  private udpDone(): number {
    const udp = this.syslog.filter((s) => s.target.transport === "udp");
    return udp.reduce((n, s) => n + s.sent + s.dropped, 0);
  }
}

/** One RFC 5424 line with a CEF message (no trailing newline); `cn1` the seq, `cs1` the hash. */
export function anchorSyslogLine(anchor: Anchor, version: string, host: string): string {
  const pri = FACILITY_LOCAL4 * 8 + SEVERITY_INFO;
  const ext = [
    ["rt", String(Date.parse(anchor.at))],
    ["cn1Label", "seq"],
    ["cn1", String(anchor.seq)],
    ["cs1Label", "hash"],
    ["cs1", anchor.hash],
  ]
    .map(([k, v]) => `${k}=${cefValueEscape(v ?? "")}`)
    .join(" ");
  const header = `CEF:0|microseg|microseg|${version}|audit-anchor|audit log head|1`;
  return `<${pri}>1 ${anchor.at} ${headerToken(host, 255)} microseg - - - ${header}|${ext}`;
}
