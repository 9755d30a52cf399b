// Coalesces agent status reports (heartbeats, acknowledgements) into one store transaction.
//
// Contract: report() resolves only after the transaction holding that report committed, so an
// agent's HTTP answer means its acknowledgement is durable (as durable as the store's commit).
// A report waits at most `windowMs` for others to join it; the first report of an empty batch
// starts the window. Reports of one batch are written in arrival order. When the transaction
// fails, every report in it rejects (none was written) and the agents get an error and retry.
import type { AgentRepo, AgentReport, AgentReportResult, StatusReport } from "@microseg/store";

interface Pending {
  readonly item: AgentReport;
  readonly resolve: (r: AgentReportResult) => void;
  readonly reject: (e: unknown) => void;
}

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
    if (batch.length === 0) return;
    try {
      const results = await this.agents.reportMany(batch.map((p) => p.item));
      batch.forEach((p, i) => {
        const r = results[i];
        if (r === undefined) p.reject(new Error("reportMany answered fewer results than reports"));
        else p.resolve(r);
      });
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }
}
