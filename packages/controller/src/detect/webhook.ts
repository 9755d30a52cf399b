// Alert delivery to a webhook: JSON POST `{ "alerts": [alert] }`, retried with exponential backoff,
// from a bounded queue drained by one worker. send() never waits and never throws: ingest is never
// held up by a slow or dead receiver. When the queue is full the oldest alert is dropped (logged);
// an alert that fails every attempt is dropped (logged).
import type { Logger } from "pino";

export interface WebhookOptions {
  readonly maxQueue: number;
  /** Attempts per alert, the first included. */
  readonly attempts: number;
  /** Delay before the second attempt; doubles each time, capped at maxDelayMs. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly timeoutMs: number;
  /** The body's one member: `{ [field]: [item] }` (alerts; audit anchors use "anchors"). */
  readonly field: string;
}

export const DEFAULT_WEBHOOK_OPTIONS: WebhookOptions = {
  maxQueue: 1000,
  attempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  timeoutMs: 5_000,
  field: "alerts",
};

export class WebhookSender {
  private readonly queue: unknown[] = [];
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

  send(alert: unknown): void {
    if (this.closed) return;
    if (this.queue.length >= this.options.maxQueue) {
      this.queue.shift();
      this.dropped++;
      this.log.warn(
        { url: this.url, queue: this.options.maxQueue },
        "webhook queue full: oldest alert dropped",
      );
    }
    this.queue.push(alert);
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
    });
  }

  /** Resolves when the queue is empty (or the sender closed). */
  async idle(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  /** Stops retrying; undelivered alerts are dropped. */
  async close(): Promise<void> {
    this.closed = true;
    this.wakeSleep?.();
    await this.idle();
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && !this.closed) {
      const alert = this.queue.shift();
      if (await this.deliver(alert)) this.delivered++;
      else this.dropped++;
    }
  }

  private async deliver(alert: unknown): Promise<boolean> {
    const o = this.options;
    const body = JSON.stringify({ [o.field]: [alert] });
    for (let attempt = 1; attempt <= o.attempts && !this.closed; attempt++) {
      const problem = await this.post(body);
      if (problem === undefined) return true;
      const delay = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** (attempt - 1));
      const last = attempt === o.attempts;
      this.log.warn(
        { url: this.url, attempt, of: o.attempts, problem, ...(last ? {} : { retryInMs: delay }) },
        last ? "webhook delivery failed: alert dropped" : "webhook delivery failed: will retry",
      );
      if (!last) await this.sleep(delay);
    }
    return false;
  }

  /** undefined on a 2xx answer, else what went wrong. */
  private async post(body: string): Promise<string | undefined> {
    try {
      const res = await fetch(this.url, {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "microseg-controller" },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined);
      return res.ok ? undefined : `HTTP ${res.status}`;
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
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
