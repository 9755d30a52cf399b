// Sends the buffered batches to the controller: oldest first, one in flight, each until a 2xx
// answer (applied, or `duplicate`: applied before) removes it from the buffer. A 429 (the agent's
// flow quota) waits Retry-After and sends the same batch again, without growing the backoff.
// Network errors and 5xx/401/404 are retried with the agent's backoff; 400/413/422 mean the
// controller will never take this batch, so it is discarded and its records counted as dropped.
// Stops at once on stop().

import type { FlowBatch, FlowBatchAck } from "@microseg/protocol/agent";
import { type Backoff, createBackoff, sleep as realSleep } from "../backoff.js";
import { ControllerError, retryAfter } from "../controller-client.js";
import type { FlowBuffer } from "./flow-buffer.js";

export interface FlowSenderOptions {
  readonly buffer: Pick<FlowBuffer, "oldest" | "acknowledge" | "discard">;
  /** The connected client, or undefined while the agent has none (not yet enrolled). */
  readonly send: () => ((batch: FlowBatch) => Promise<FlowBatchAck>) | undefined;
  readonly log: {
    debug(o: object, m: string): void;
    warn(o: object, m: string): void;
    error(o: object, m: string): void;
  };
  readonly backoff?: Backoff;
  /** Injectable for tests (fake clock). */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** How long to wait for new batches or a client before looking again; default 1000 ms. */
  readonly idleMs?: number;
  /** Called for each batch the controller took (metrics). */
  readonly onSent?: (batch: FlowBatch) => void;
}

const NEVER_ACCEPTED = new Set([400, 413, 422]);

export class FlowSender {
  private readonly abort = new AbortController();
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private readonly backoff: Backoff;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private failing = false;

  constructor(private readonly o: FlowSenderOptions) {
    this.backoff = o.backoff ?? createBackoff();
    this.sleep = o.sleep ?? ((ms, signal) => realSleep(ms, signal));
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** A batch was added: send now instead of at the next idle check. */
  kick(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      const send = this.o.send();
      const batch = send ? await this.o.buffer.oldest() : undefined;
      if (!send || !batch) {
        await this.idle();
        continue;
      }
      try {
        await send(batch);
        await this.o.buffer.acknowledge(batch.seq);
        this.o.onSent?.(batch);
        this.backoff.reset();
        if (this.failing) this.o.log.warn({ seq: batch.seq }, "flows delivered again");
        this.failing = false;
      } catch (e) {
        if (signal.aborted) return;
        await this.failed(batch, e);
      }
    }
  }

  private async failed(batch: FlowBatch, e: unknown): Promise<void> {
    const message = (e as Error).message;
    if (e instanceof ControllerError && NEVER_ACCEPTED.has(e.status)) {
      this.o.log.error({ seq: batch.seq, error: message }, "flow batch refused; dropped (counted)");
      await this.o.buffer.discard(batch.seq);
      return;
    }
    const wait = retryAfter(e);
    if (wait !== undefined) {
      this.o.log.debug({ seq: batch.seq, retryInMs: wait }, "flow quota reached; batch kept");
      await this.sleep(wait, this.abort.signal);
      return;
    }
    const delay = this.backoff.next();
    if (!this.failing) this.o.log.warn({ error: message, retryInMs: delay }, "flows not delivered");
    else this.o.log.debug({ error: message, retryInMs: delay }, "flows not delivered");
    this.failing = true;
    await this.sleep(delay, this.abort.signal);
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.o.idleMs ?? 1000);
      timer.unref();
      this.wake = done;
      if (this.abort.signal.aborted) done();
    });
  }
}
