// GET /api/v1/status: the active revision, the CA fingerprint and convergence counts.
import type { ControllerContext } from "../context.js";
import { listAgents } from "./agents.js";

export async function controllerStatus(ctx: ControllerContext) {
  const agents = await listAgents(ctx);
  const live = agents.filter((a) => !a.revoked);
  return {
    protocol: 1 as const,
    activeRevision: ctx.hub.activeRevision,
    caFingerprint: ctx.settings.caFingerprint,
    workloads: ctx.hub.storedCount(),
    agents: {
      total: agents.length,
      revoked: agents.length - live.length,
      online: live.filter((a) => a.online).length,
      converged: live.filter((a) => a.converged).length,
      pending: live.filter((a) => !a.converged).length,
      drifted: live.filter((a) => a.drift === "drifted").length,
    },
  };
}
