// Flows: the flow graph as edges per time bucket. A batch is applied at most once per agent: its
// deltas and the agent's new sequence number commit in one unit, so a retried batch (the agent
// never saw the ack) is recognised by its seq and changes nothing.

import type { FlowRepo } from "../flow-records.js";
import type { Backend, EngineContext } from "./tables.js";

export function flowRepo(db: Backend, ctx: EngineContext): FlowRepo {
  return {
    async applyBatch(agentId, seq, deltas) {
      return db.run((t) => {
        if (seq <= t.flowSeq(agentId)) return { duplicate: true };
        t.mergeEdges(deltas);
        ctx.failpoint?.("flows.applyBatch:merged");
        t.setFlowSeq(agentId, seq);
        return { duplicate: false };
      });
    },
    async edges(filter = {}) {
      return db.run((t) => t.edges(filter));
    },
    async prune(before) {
      return db.run((t) => t.pruneEdges(before));
    },
    async stats() {
      return db.run((t) => t.edgeStats());
    },
  };
}
