// Collects what the controller must hear (the latest applied revision, drift state, events) and
// sends it as one status report: on every heartbeat, and at once after an apply or a tamper.
// Events are queued while the controller is away (bounded: the oldest are dropped first) and
// removed only after the controller accepted them, so delivery is at-least-once. After a 429 (the
// agent's status quota) nothing is sent before Retry-After has passed; what waits stays queued
// and is sent then (not only at the next heartbeat: an acknowledgement is how the controller
// learns the agent converged). A report the controller refuses as malformed (400: e.g. an event
// kind an older controller does not know) loses its events (counted in `dropped`), so it cannot
// hold up every later acknowledgement.

import { type ControllerClient, ControllerError, retryAfter } from "./controller-client.js";
import {
  type AgentEvent,
  type AppliedReport,
  type DriftStatus,
  MAX_EVENTS_PER_REPORT,
  type StatusRequest,
} from "./wire.js";

export const MAX_QUEUED_EVENTS = 1000;

export interface Reporter {
  applied(report: AppliedReport): void;
  drift(status: DriftStatus): void;
  event(event: AgentEvent): void;
  /** Sends now (coalesced with a send in flight); resolves true when the controller accepted. */
  send(): Promise<boolean>;
}

export class StatusReporter implements Reporter {
  private lastApplied: AppliedReport | undefined;
  private lastDrift: DriftStatus | undefined;
  private readonly events: AgentEvent[] = [];
  private inFlight: Promise<boolean> | undefined;
  private again = false;
  dropped = 0;
  /** The heartbeat period the controller last asked for (s). */
  controllerHeartbeatS: number | undefined;
  /** Called with every answer the controller accepted a report with. */
  onAnswer: ((answer: { heartbeatSeconds?: number; maintenanceHash?: string }) => void) | undefined;

  /** No report is sent before this time (ms, `now()`'s clock): a 429's Retry-After. */
  private notBefore = 0;
  private retry: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly client: () => ControllerClient | undefined,
    private readonly onError: (e: unknown) => void = () => {},
    private readonly now: () => number = Date.now,
  ) {}

  applied(report: AppliedReport): void {
    this.lastApplied = report;
  }

  drift(status: DriftStatus): void {
    this.lastDrift = status;
  }

  event(event: AgentEvent): void {
    this.events.push(event);
    if (this.events.length > MAX_QUEUED_EVENTS) {
      this.events.splice(0, this.events.length - MAX_QUEUED_EVENTS);
      this.dropped += 1;
    }
  }

  get queued(): number {
    return this.events.length;
  }

  /** The events not yet accepted, oldest first (for the outbox when the agent stops). */
  queuedEvents(): AgentEvent[] {
    return [...this.events];
  }

  /** What would be sent now (also for tests). */
  pending(): StatusRequest {
    return {
      ...(this.lastApplied ? { applied: this.lastApplied } : {}),
      ...(this.lastDrift ? { drift: this.lastDrift } : {}),
      ...(this.events.length > 0 ? { events: this.events.slice(0, MAX_EVENTS_PER_REPORT) } : {}),
    };
  }

  send(): Promise<boolean> {
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    this.inFlight = this.loop().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async loop(): Promise<boolean> {
    let ok = true;
    do {
      this.again = false;
      ok = await this.sendOnce();
    } while (ok && (this.again || this.events.length > 0));
    return ok;
  }

  private async sendOnce(): Promise<boolean> {
    const client = this.client();
    if (!client || this.now() < this.notBefore) return false;
    const report = this.pending();
    const sent = new Set(report.events ?? []);
    try {
      const answer = await client.status(report);
      if (answer.heartbeatSeconds) this.controllerHeartbeatS = answer.heartbeatSeconds;
      this.onAnswer?.(answer);
    } catch (e) {
      if (e instanceof ControllerError && e.status === 400 && sent.size > 0) this.forget(sent);
      const wait = retryAfter(e);
      if (wait !== undefined) {
        this.notBefore = this.now() + wait;
        clearTimeout(this.retry);
        this.retry = setTimeout(() => void this.send(), wait);
        this.retry.unref();
      }
      this.onError(e);
      return false;
    }
    // Only what was sent is removed: events that arrived during the request stay queued.
    this.events.splice(0, this.events.length, ...this.events.filter((e) => !sent.has(e)));
    return true;
  }

  private forget(sent: ReadonlySet<AgentEvent>): void {
    this.events.splice(0, this.events.length, ...this.events.filter((e) => !sent.has(e)));
    this.dropped += sent.size;
  }
}
