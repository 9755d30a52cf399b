// Flows: the flow graph as edges per time bucket. A batch is applied at most once per agent: its
// deltas and the agent's new sequence number commit in one unit, so a retried batch (the agent
// never saw the ack) is recognised by its seq and changes nothing.

import type { FlowBatchInput, FlowRepo } from "../flow-records.js";
import type { Backend, EngineContext, Tables } from "./tables.js";

export function flowRepo(db: Backend, ctx: EngineContext): FlowRepo {
  return {
    async applyBatch(agentId, seq, deltas) {
      return db.run((t) => applyOne(t, ctx, { agentId, seq, deltas }));
    },
    async applyBatches(batches) {
      if (batches.length === 0) return [];
      return db.run(async (t) => {
        const out: { duplicate: boolean }[] = [];
        for (const b of batches) out.push(await applyOne(t, ctx, b));
        return out;
      });
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

async function applyOne(
  t: Tables,
  ctx: EngineContext,
  b: FlowBatchInput,
): Promise<{ duplicate: boolean }> {
  if (b.seq <= (await t.flowSeq(b.agentId))) return { duplicate: true };
  await t.mergeEdges(b.deltas);
  ctx.failpoint?.("flows.applyBatch:merged");
  await t.setFlowSeq(b.agentId, b.seq);
  return { duplicate: false };
}
