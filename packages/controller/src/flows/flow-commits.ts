// Group commit for flow batches: the batches of every agent whose request reached the store step
// in the same turn of the event loop are applied in one store transaction. A commit costs far
// more than the rows it writes (the WAL append), so a thousand agents reporting every second
// share a few commits instead of a thousand.
//
// Contract: apply() resolves only after the transaction holding that batch committed (the
// agent's ack means its flows are durable), with that batch's own answer. Nothing waits on a
// timer: the commit runs on setImmediate, after the I/O callbacks of the current turn. When the
// transaction fails, its batches are applied again one transaction each (isolated-batch.ts):
// only a batch that still fails rejects, so one agent's unstorable batch never fails the others.
import type { EdgeDelta, FlowBatchInput, FlowRepo } from "@microseg/store";
import { applyIsolated, type Pending as PendingOf } from "../isolated-batch.js";

type Pending = PendingOf<FlowBatchInput, { duplicate: boolean }>;

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
      this.pending.push({ item: { agentId, seq, deltas }, resolve, reject });
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
    await applyIsolated(group, (batches) => this.flows.applyBatches(batches));
  }
}
