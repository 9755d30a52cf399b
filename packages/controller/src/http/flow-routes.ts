// Flow routes: agents post flow batches (agent credential; checked with the protocol's fast
// checkFlowBatch, not zod: this is the hottest path), admins read the flow graph and the map.
import { ApiError, FlowQuerySchema, MapQuerySchema, PATHS } from "@microseg/protocol";
import type { ControllerContext } from "../context.js";
import { flowMap } from "../flows/flow-map.js";
import { queryFlows } from "../flows/flow-query.js";
import { ingestFlows } from "../flows/ingest.js";
import { agentWriteFailed } from "../limits/agent-failure.js";
import { FLOW_BATCH_COST } from "../limits/defaults.js";
import type { ControllerApp } from "./env.js";
import { RateLimited } from "./errors.js";
import { query } from "./validate.js";

export function flowRoutes(app: ControllerApp, ctx: ControllerContext): void {
  // Authenticated by the /api/v1/agent/* middleware of agentRoutes().
  // Quota: records per second per agent. Refused before the body is read while the agent's bucket
  // is empty; a batch read is paid for by its records + FLOW_BATCH_COST (the balance may go
  // below zero, and the agent waits that off: one batch overshoots by at most its own size).
  app.post(PATHS.agentFlows, async (c) => {
    const agent = c.get("agent");
    // Records of a batch refused after its body was read; counted as rejected with it.
    let n = 0;
    try {
      const wait = ctx.limits.flowRecords.waitSeconds(agent.id);
      if (wait > 0) throw new RateLimited(wait, "flow records above this agent's quota");
      let body: unknown;
      try {
        body = JSON.parse(await c.req.text());
      } catch {
        throw new ApiError("MSEG_API_BAD_REQUEST", "the flow batch is not JSON");
      }
      const records = (body as { records?: unknown } | null)?.records;
      n = Array.isArray(records) ? records.length : 0;
      ctx.limits.flowRecords.take(agent.id, n + FLOW_BATCH_COST);
      const { ack, stale } = await ingestFlows(ctx, agent, body).catch((err: unknown) =>
        agentWriteFailed(ctx.log, ctx.limits.log, agent.id, "flow batch", err),
      );
      const outcome = ack.duplicate ? "duplicate" : "applied";
      ctx.metrics.flowBatch(outcome, n, stale);
      return c.json(ack);
    } catch (err) {
      ctx.metrics.flowBatch("rejected", n);
      throw err;
    }
  });

  app.get(PATHS.flows, async (c) => {
    const q = query(c, FlowQuerySchema);
    return c.json({ edges: await queryFlows(ctx, q) });
  });

  app.get(PATHS.map, async (c) => c.json(await flowMap(ctx, query(c, MapQuerySchema))));
}
