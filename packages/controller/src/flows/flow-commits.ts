// Group commit for flow batches: the batches of every agent whose request reached the store step
// in the same turn of the event loop are applied in one store transaction. A commit costs far
// more than the rows it writes (the WAL append), so a thousand agents reporting every second
// share a few commits instead of a thousand.
//
// Contract: apply() resolves only after the transaction holding that batch committed (the
// agent's ack means its flows are durable), with that batch's own answer. Nothing waits on a
// timer: the commit runs on setImmediate, after the I/O callbacks of the current turn. When the
// transaction fails, every batch in it rejects (none was applied) and their agents retry.
import type { EdgeDelta, FlowBatchInput, FlowRepo } from "@microseg/store";

interface Pending {
  readonly batch: FlowBatchInput;
  readonly resolve: (r: { duplicate: boolean }) => void;
  readonly reject: (e: unknown) => void;
}

export class FlowCommits {
  private pending: Pending[] = [];
  private scheduled = false;

  constructor(private readonly flows: Pick<FlowRepo, "applyBatches">) {}

  apply(
    agentId: string,
    seq: number,
    deltas: readonly EdgeDelta[],
  ): Promise<{ duplicate: boolean }> {
    return new Promise((resolve, reject) => {
      this.pending.push({ batch: { agentId, seq, deltas }, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  /** Commits whatever is queued now (also at shutdown, before the store closes). */
  async flush(): Promise<void> {
    this.scheduled = false;
    const group = this.pending;
    this.pending = [];
    if (group.length === 0) return;
    try {
      const answers = await this.flows.applyBatches(group.map((p) => p.batch));
      group.forEach((p, i) => {
        const a = answers[i];
        if (a === undefined)
          p.reject(new Error("applyBatches answered fewer results than batches"));
        else p.resolve(a);
      });
    } catch (err) {
      for (const p of group) p.reject(err);
    }
  }
}
