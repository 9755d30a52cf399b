// Flows: the flow graph as edges per time bucket. A batch is applied at most once per agent: its
// deltas and the agent's new sequence number commit in one unit, so a retried batch (the agent
// never saw the ack) is recognised by its seq and changes nothing.

import type { EdgeDelta, FlowBatchInput, FlowRepo } from "../flow-records.js";
import type { Backend, EngineContext } from "./tables.js";

export function flowRepo(db: Backend, ctx: EngineContext): FlowRepo {
  return {
    async applyBatch(agentId, seq, deltas) {
      return (await applyBatches(db, ctx, [{ agentId, seq, deltas }]))[0] as { duplicate: boolean };
    },
    async applyBatches(batches) {
      return applyBatches(db, ctx, batches);
    },
    async edges(filter = {}) {
      return db.run(async (t) => t.edges(filter), "read");
    },
    async prune(before) {
      return db.run(async (t) => t.pruneEdges(before));
    },
    async stats() {
      return db.run(async (t) => t.edgeStats(), "read");
    },
  };
}

/**
 * One read of the agents' seqs, one merge of every new batch's deltas, one write of the seqs: on
 * PostgreSQL three statements for the batches of an event-loop turn, not three per batch. A later
 * batch of the same agent in the same call is judged against the earlier one's seq, as if they
 * had come one after the other.
 */
async function applyBatches(
  db: Backend,
  ctx: EngineContext,
  batches: readonly FlowBatchInput[],
): Promise<{ duplicate: boolean }[]> {
  if (batches.length === 0) return [];
  return db.run(async (t) => {
    const stored = await t.flowSeqs([...new Set(batches.map((b) => b.agentId))]);
    const seqs = new Map<string, number>();
    const deltas: EdgeDelta[] = [];
    const out = batches.map((b) => {
      if (b.seq <= (seqs.get(b.agentId) ?? stored.get(b.agentId) ?? 0)) return { duplicate: true };
      seqs.set(b.agentId, b.seq);
      for (const d of b.deltas) deltas.push(d);
      return { duplicate: false };
    });
    if (deltas.length > 0) await t.mergeEdges(deltas);
    ctx.failpoint?.("flows.applyBatch:merged");
    if (seqs.size > 0) await t.setFlowSeqs(seqs);
    return out;
  });
}
