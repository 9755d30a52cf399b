// Coalesces agent status reports (heartbeats, acknowledgements) into one store transaction.
//
// Contract: report() resolves only after the transaction holding that report committed, so an
// agent's HTTP answer means its acknowledgement is durable (as durable as the store's commit).
// A report waits at most `windowMs` for others to join it; the first report of an empty batch
// starts the window. Reports of one batch are written in arrival order. When the transaction
// fails, its reports are written again one transaction each (isolated-batch.ts): only a report
// that still fails rejects (its agent gets an error and retries); the others are answered.
import type { AgentRepo, AgentReport, AgentReportResult, StatusReport } from "@microseg/store";
import { applyIsolated, type Pending as PendingOf } from "./isolated-batch.js";

type Pending = PendingOf<AgentReport, AgentReportResult>;

export class StatusBatcher {
  private pending: Pending[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly agents: Pick<AgentRepo, "reportMany">,
    private readonly windowMs: number,
  ) {}

  /** Queues one report; resolves with its own result once its batch committed. */
  report(id: string, report: StatusReport): Promise<AgentReportResult> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item: { id, report }, resolve, reject });
      this.timer ??= setTimeout(() => void this.flush(), this.windowMs);
    });
  }

  /** Writes every queued report now (also used at shutdown, before the store closes). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    await applyIsolated(batch, (reports) => this.agents.reportMany(reports));
  }
}
