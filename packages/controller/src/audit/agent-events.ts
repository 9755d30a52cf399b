// Agent events (tamper, apply-failed, restored; stopped, removed, unpaired) in the audit log, bounded per agent. Every status
// report may carry 100 events; written one row each, one agent could add millions of rows an hour.
// So per agent and interval (default: 10 rows per minute) the first events are one row each, as
// before, and the rest are counted per kind and written as ONE summary row per kind when the
// interval closes — at the agent's next report after it, on the timer for agents that went quiet,
// or at shutdown:
//   action agent.<kind>, actor agent/<id>, target workload/<w>,
//   after {summary: true, count, firstAt, lastAt, from, to, sample}
// (`firstAt`/`lastAt` are the agents' event times, `from`/`to` the interval, `sample` the details
// of the first folded event). Rows per agent and interval: at most `rows` + the number of kinds.
import type { AgentEvent } from "@microseg/protocol";
import type { Store } from "@microseg/store";
import type { Logger } from "pino";

export interface AgentEventLimits {
  /** Events written one row each per agent and interval. */
  readonly rows: number;
  readonly intervalMs: number;
}

export const DEFAULT_AGENT_EVENT_LIMITS: AgentEventLimits = { rows: 10, intervalMs: 60_000 };

interface Fold {
  count: number;
  firstAt: string;
  lastAt: string;
  sample: string;
}

interface Interval {
  readonly agent: { readonly id: string; readonly workload: string };
  readonly start: number;
  written: number;
  readonly folded: Map<string, Fold>;
}

export class AgentEventAudit {
  private readonly open = new Map<string, Interval>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Pick<Store, "audit">,
    private readonly log: Logger,
    private readonly clock: () => Date,
    private readonly limits: AgentEventLimits = DEFAULT_AGENT_EVENT_LIMITS,
  ) {}

  /** Closes intervals that ended, on a timer (unref'd: it never keeps the process alive). */
  start(): void {
    this.timer = setInterval(() => void this.closeIntervals(), this.limits.intervalMs);
    this.timer.unref();
  }

  /** Audits one report's events; resolves when its rows are written. */
  async record(
    agent: { readonly id: string; readonly workload: string },
    events: readonly AgentEvent[],
  ): Promise<void> {
    if (events.length === 0) return;
    const now = this.clock().getTime();
    const ended = this.open.get(agent.id);
    if (ended !== undefined && now >= ended.start + this.limits.intervalMs) {
      await this.closeInterval(ended);
    }
    // Read again after the await: a concurrent report may have opened the next interval.
    let interval = this.open.get(agent.id);
    if (interval === undefined) {
      interval = { agent, start: now, written: 0, folded: new Map() };
      this.open.set(agent.id, interval);
    }
    // Decided before any write, so concurrent reports of one agent share the same budget.
    const direct: AgentEvent[] = [];
    for (const e of events) {
      if (interval.written < this.limits.rows) {
        interval.written++;
        direct.push(e);
      } else fold(interval.folded, e);
    }
    for (const e of direct) {
      await this.store.audit.append({
        actor: `agent/${agent.id}`,
        action: `agent.${e.kind}`,
        target: `workload/${agent.workload}`,
        after: { at: e.at, details: e.details },
      });
      this.log.warn({ agent: agent.id, kind: e.kind, details: e.details }, "agent event");
    }
  }

  /** Writes the summaries of every interval that has ended. */
  async closeIntervals(): Promise<void> {
    const now = this.clock().getTime();
    for (const interval of [...this.open.values()]) {
      if (now >= interval.start + this.limits.intervalMs) await this.closeInterval(interval);
    }
  }

  /** Stops the timer and writes every summary still pending (before the store closes). */
  async close(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    for (const interval of [...this.open.values()]) await this.closeInterval(interval);
  }

  private async closeInterval(interval: Interval): Promise<void> {
    const { agent } = interval;
    if (this.open.get(agent.id) === interval) this.open.delete(agent.id);
    const from = new Date(interval.start).toISOString();
    const to = new Date(interval.start + this.limits.intervalMs).toISOString();
    for (const [kind, f] of interval.folded) {
      try {
        await this.store.audit.append({
          actor: `agent/${agent.id}`,
          action: `agent.${kind}`,
          target: `workload/${agent.workload}`,
          after: {
            summary: true,
            count: f.count,
            firstAt: f.firstAt,
            lastAt: f.lastAt,
            from,
            to,
            sample: f.sample,
          },
        });
      } catch (err) {
        this.log.error(
          { err, agent: agent.id, kind, count: f.count },
          "agent event summary not written",
        );
        continue;
      }
      this.log.warn({ agent: agent.id, kind, count: f.count, from, to }, "agent events folded");
    }
  }
}

function fold(folded: Map<string, Fold>, e: AgentEvent): void {
  const f = folded.get(e.kind);
  if (f === undefined) {
    folded.set(e.kind, { count: 1, firstAt: e.at, lastAt: e.at, sample: e.details });
    return;
  }
  f.count++;
  if (e.at < f.firstAt) f.firstAt = e.at;
  if (e.at > f.lastAt) f.lastAt = e.at;
}
