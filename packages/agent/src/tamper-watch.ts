// Tamper detection. A check compares the enforced table's structure with what the driver applied
// (a terse listing: its cost does not grow with the number of set elements); every
// `elementEvery`-th check also compares set elements (a full listing, O(set size)). Checks run
// when the change feed (nft monitor) reports a change to our table, and every `intervalMs` as a
// backstop.
// Drift -> "tamper" event, immediate full re-apply -> "restored" event, both reported at once
// (queued by the reporter while the controller is away). One check at a time; the timer is
// unref'd and re-armed only after a check finished, so a slow nft never stacks checks.

import type { DataplaneManager } from "./dataplane.js";
import type { AgentObserver } from "./metrics.js";
import type { Reporter } from "./status-reporter.js";
import type { ChangeFeed } from "./table-monitor.js";
import { cut } from "./wire.js";

export interface TamperWatchOptions {
  readonly dataplane: Pick<DataplaneManager, "checkDrift" | "restore">;
  readonly reporter: Reporter;
  readonly log: { warn(o: object, m: string): void; error(o: object, m: string): void };
  /** Structure check period; default 2000 ms. */
  readonly intervalMs?: number;
  /** Every n-th check also compares elements; default 30 (once a minute at 2 s). */
  readonly elementEvery?: number;
  /** Change notifications (nft monitor): a change triggers a check at once. */
  readonly changes?: ChangeFeed;
  /** Told of every restore (metrics). */
  readonly observer?: Pick<AgentObserver, "restored">;
}

export class TamperWatch {
  private timer: NodeJS.Timeout | undefined;
  private checks = 0;
  private stopped = true;
  private unsubscribe: (() => void) | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: TamperWatchOptions) {}

  start(): void {
    this.stopped = false;
    this.arm();
    this.unsubscribe = this.o.changes?.subscribe(() => {
      if (!this.stopped) void this.guarded();
    });
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** A check has run and its outcome was reported (clean, or drifted and repaired). */
  private verified = false;

  /** One check (and repair); true when drift was found. Exposed for tests and for start-up. */
  async checkOnce(): Promise<boolean> {
    this.checks += 1;
    const every = this.o.elementEvery ?? 30;
    const elements = this.checks % every === 0;
    const report = await this.o.dataplane.checkDrift({ elements });
    if (!report?.drifted) {
      // The first clean check turns the controller's "unknown" into "in sync".
      if (report && !this.verified) this.o.reporter.drift({ drifted: false, details: "" });
      if (report) this.verified = true;
      return false;
    }
    this.verified = true;
    const at = new Date().toISOString();
    const details = report.details.join("; ");
    this.o.log.warn({ details: report.details }, "tamper: the table differs from the policy");
    this.o.reporter.event({ kind: "tamper", at, details: cut(details) });
    this.o.reporter.drift({ drifted: true, details: cut(details) });
    const start = performance.now();
    await this.o.dataplane.restore();
    this.o.observer?.restored();
    const ms = Math.round(performance.now() - start);
    const repairedAt = new Date().toISOString();
    this.o.reporter.event({
      kind: "restored",
      at: repairedAt,
      details: `full re-apply in ${ms} ms`,
    });
    this.o.reporter.drift({ drifted: false, details: cut(details), repairedAt });
    void this.o.reporter.send();
    return true;
  }

  private arm(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.guarded().finally(() => this.arm());
    }, this.o.intervalMs ?? 2000);
    this.timer.unref();
  }

  /** One check at a time: a trigger during a check runs after it. */
  private guarded(): Promise<unknown> {
    this.running = this.running.then(() =>
      this.checkOnce().catch((e: unknown) => {
        this.o.log.error({ error: (e as Error).message }, "tamper check or restore failed");
      }),
    );
    return this.running;
  }
}
