// Delivery to a webhook: one JSON POST per event, retried with exponential backoff, from a
// bounded queue drained by one worker. send() never waits and never throws (ingest is never held
// up by a slow or dead receiver); the promise it answers tells when the sender is done with the
// event. When the queue is full the oldest event is dropped (logged); an event that fails every
// attempt is dropped (logged).
//
// Body (schemaVersion 1): `{ "schemaVersion": 1, "id": EVENT, "type": TYPE, ...data }`, e.g.
// `{"schemaVersion":1,"id":"al-…:high","type":"alert","alerts":[{…}]}`. The id names the event:
// the same on every attempt and on a resend after a restart, so a receiver drops repeats by it.
// Every time in a body is an ISO-8601 string.
//
// Headers: `X-Microseg-Event-Id: EVENT`; with a secret (--alert-webhook-secret) also
//   X-Microseg-Signature: t=UNIX_SECONDS,v1=HEX(HMAC-SHA256(secret, "UNIX_SECONDS." + BODY))
// over the exact body bytes, made afresh for each attempt (a new t, the same body). A receiver
// recomputes it, compares in constant time and refuses a t too far from its clock (replays);
// docs/api.md, "Alert webhooks", shows how.
import { createHmac } from "node:crypto";
import type { Logger } from "pino";

export const WEBHOOK_SCHEMA_VERSION = 1;

export interface WebhookEvent {
  /** The same on every attempt (and on a resend after a restart): receivers de-duplicate by it. */
  readonly id: string;
  /** `alert` or `audit-anchor`. */
  readonly type: string;
  /** The body's other members: `{ alerts: [alert] }`, `{ anchors: [anchor] }`. */
  readonly data: Readonly<Record<string, unknown>>;
}

/**
 * How a sender finished with one message: `delivered`; `dropped` (it gave up: every attempt
 * failed, or the queue overflowed); `closed` (the controller stopped before it was done: a
 * restarted controller sends it again).
 */
export type DeliveryOutcome = "delivered" | "dropped" | "closed";

export interface WebhookOptions {
  readonly maxQueue: number;
  /** Attempts per event, the first included. */
  readonly attempts: number;
  /** Delay before the second attempt; doubles each time, capped at maxDelayMs. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly timeoutMs: number;
  /** How long a closing controller waits for queued events before it stops (the rest: `closed`). */
  readonly drainMs: number;
  /** Signs every request (X-Microseg-Signature) when set. */
  readonly secret?: string;
}

export const DEFAULT_WEBHOOK_OPTIONS: WebhookOptions = {
  maxQueue: 1000,
  attempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  timeoutMs: 5_000,
  drainMs: 3_000,
};

/** The options that sign with `secret` (none without one). */
export function signedWith(secret: string | undefined): Partial<WebhookOptions> {
  return secret === undefined ? {} : { secret };
}

interface Queued {
  readonly event: WebhookEvent;
  readonly done: (outcome: DeliveryOutcome) => void;
}

export class WebhookSender {
  private readonly queue: Queued[] = [];
  private running: Promise<void> | undefined;
  private closed = false;
  private readonly options: WebhookOptions;
  private wakeSleep: (() => void) | undefined;
  delivered = 0;
  dropped = 0;

  constructor(
    readonly url: string,
    private readonly log: Logger,
    options: Partial<WebhookOptions> = {},
  ) {
    this.options = { ...DEFAULT_WEBHOOK_OPTIONS, ...options };
  }

  /** Queues the event; resolves when the sender is done with it (never rejects). */
  send(event: WebhookEvent): Promise<DeliveryOutcome> {
    if (this.closed) return Promise.resolve("closed");
    if (this.queue.length >= this.options.maxQueue) {
      this.queue.shift()?.done("dropped");
      this.dropped++;
      this.log.warn(
        { url: this.url, queue: this.options.maxQueue },
        "webhook queue full: oldest event dropped",
      );
    }
    const outcome = new Promise<DeliveryOutcome>((done) => this.queue.push({ event, done }));
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
    });
    return outcome;
  }

  /** Resolves when the queue is empty (or the sender closed). */
  async idle(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  /** Stops retrying; what is still queued is left undelivered (`closed`). */
  async close(): Promise<void> {
    this.closed = true;
    this.wakeSleep?.();
    await this.idle();
    for (const q of this.queue.splice(0)) q.done("closed");
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && !this.closed) {
      const q = this.queue.shift() as Queued;
      const outcome = await this.deliver(q.event);
      if (outcome === "delivered") this.delivered++;
      else if (outcome === "dropped") this.dropped++;
      q.done(outcome);
    }
  }

  private async deliver(event: WebhookEvent): Promise<DeliveryOutcome> {
    const o = this.options;
    const body = JSON.stringify({
      schemaVersion: WEBHOOK_SCHEMA_VERSION,
      id: event.id,
      type: event.type,
      ...event.data,
    });
    for (let attempt = 1; attempt <= o.attempts; attempt++) {
      if (this.closed) return "closed";
      const problem = await this.post(event.id, body);
      if (problem === undefined) return "delivered";
      const delay = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** (attempt - 1));
      const last = attempt === o.attempts;
      this.log.warn(
        {
          url: this.url,
          event: event.id,
          attempt,
          of: o.attempts,
          problem,
          ...(last ? {} : { retryInMs: delay }),
        },
        last ? "webhook delivery failed: event dropped" : "webhook delivery failed: will retry",
      );
      if (!last) await this.sleep(delay);
    }
    return "dropped";
  }

  /** undefined on a 2xx answer, else what went wrong. */
  private async post(id: string, body: string): Promise<string | undefined> {
    try {
      const res = await fetch(this.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "microseg-controller",
          "x-microseg-event-id": id,
          ...this.signature(body),
        },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined);
      return res.ok ? undefined : `HTTP ${res.status}`;
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  }

  private signature(body: string): Record<string, string> {
    const secret = this.options.secret;
    if (secret === undefined) return {};
    const t = Math.floor(Date.now() / 1000);
    const v1 = createHmac("sha256", secret).update(`${t}.${body}`, "utf8").digest("hex");
    return { "x-microseg-signature": `t=${t},v1=${v1}` };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeSleep = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
