// Retention of the flow graph: buckets older than the retention are pruned at start and then
// every PRUNE_EVERY_MS. The timer does not keep the process alive; stop() ends it.

import type { ControllerContext } from "../context.js";

export const PRUNE_EVERY_MS = 10 * 60_000;

export function startFlowRetention(ctx: ControllerContext, everyMs = PRUNE_EVERY_MS): () => void {
  const prune = async () => {
    try {
      const before = ctx.clock().getTime() - ctx.flowIngest.retentionMs;
      const rows = await ctx.store.flows.prune(before);
      if (rows > 0)
        ctx.log.info({ rows, before: new Date(before).toISOString() }, "flow edges pruned");
    } catch (err) {
      ctx.log.error({ err }, "pruning flow edges failed");
    }
  };
  void prune();
  const timer = setInterval(prune, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
