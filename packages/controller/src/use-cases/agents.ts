// The admin view of agents: what each applied, what it should have, whether it converged, when
// it last reported, revocation and maintenance tokens.

import type { Workload } from "@microseg/core";
import type { AgentView, MaintenanceToken } from "@microseg/protocol";
import { ApiError, NO_RULESET } from "@microseg/protocol";
import type { AgentRecord } from "@microseg/store";
import type { ControllerContext } from "../context.js";
import { hashSecret, newSecret } from "../secrets.js";

export async function listAgents(ctx: ControllerContext): Promise<AgentView[]> {
  // Modes come from the hub's copy of the inventory: listing every workload row per request
  // would cost more than the agents themselves at ten thousand workloads.
  const agents = await ctx.store.agents.list();
  return agents.map((a) => agentView(ctx, a, ctx.hub.storedWorkload(a.workload)));
}

export async function getAgent(ctx: ControllerContext, id: string): Promise<AgentView> {
  const agent = await ctx.store.agents.get(id);
  if (agent === undefined) throw notFound(id);
  return agentView(ctx, agent, ctx.hub.storedWorkload(agent.workload));
}

export async function revokeAgent(ctx: ControllerContext, id: string, actor: string) {
  const agent = await ctx.store.agents.revoke(id, actor);
  if (agent === undefined) throw notFound(id);
  // Effective from here: the cache refuses the credential before this answer is sent.
  ctx.credentials.forget(agent.id);
  // Its held long-poll answers now and, re-checking revocation, gets 401.
  ctx.hub.release(agent.workload);
  ctx.log.info({ agent: id, actor }, "agent revoked");
  return agentView(ctx, agent, ctx.hub.storedWorkload(agent.workload));
}

/**
 * A fresh maintenance token for the agent, shown once; only its sha256 is stored (audited as
 * `agent.maintenance-token`). The agent learns the hash with its next status answer, so the token
 * works on the host from then on, also while the controller is unreachable.
 */
export async function issueMaintenanceToken(
  ctx: ControllerContext,
  id: string,
  actor: string,
): Promise<MaintenanceToken> {
  const token = newSecret("maintenance");
  const agent = await ctx.store.agents.setMaintenanceHash(id, hashSecret(token), actor);
  if (agent === undefined) {
    const known = await ctx.store.agents.get(id);
    if (known === undefined) throw notFound(id);
    throw new ApiError(
      "MSEG_API_CONFLICT",
      `agent "${id}" is revoked: it gets no maintenance token (its host runs no agent of ours)`,
    );
  }
  ctx.log.info({ agent: id, actor }, "maintenance token issued");
  return {
    agentId: agent.id,
    workload: agent.workload,
    token,
    issuedAt: ctx.clock().toISOString(),
  };
}

export function agentView(
  ctx: ControllerContext,
  a: AgentRecord,
  workload: Workload | undefined,
): AgentView {
  const currentHash = ctx.hub.hashOf(a.workload);
  return {
    id: a.id,
    workload: a.workload,
    hostname: a.hostname,
    profileId: a.profileId,
    revoked: a.revoked,
    enrolledAt: a.enrolledAt,
    mode: workload?.mode ?? null,
    lastHeartbeat: a.lastHeartbeat,
    online: isOnline(ctx, a),
    appliedRevision: a.appliedRevision,
    appliedHash: a.appliedHash,
    currentHash,
    converged: isConverged(ctx, a),
    drift: a.drift,
    lastError: a.lastError,
  };
}

/** Not revoked and reported within the last three heartbeat periods. */
export function isOnline(ctx: ControllerContext, a: AgentRecord): boolean {
  if (a.revoked || a.lastHeartbeat === null) return false;
  const window = 3 * ctx.settings.heartbeatSeconds * 1000;
  return ctx.clock().getTime() - Date.parse(a.lastHeartbeat) <= window;
}

/**
 * The agent enforces what the active revision gives it: the hash it last reported applied is the
 * one due, and it has reported applying the last answer this controller gave it (a matching hash
 * from before an A -> B -> A swap, with B's answer still being applied, is not convergence;
 * PolicyHub.answered). An agent this controller has not answered since it started (another
 * replica did) is judged by its hash alone.
 */
export function isConverged(ctx: ControllerContext, a: AgentRecord): boolean {
  const last = ctx.hub.lastAnswer(a.id);
  return (
    (a.appliedHash ?? NO_RULESET) === ctx.hub.hashOf(a.workload) &&
    (last === undefined || (a.appliedRevision ?? 0) >= last.revision)
  );
}

function notFound(id: string): ApiError {
  return new ApiError("MSEG_API_NOT_FOUND", `no agent "${id}" (GET /api/v1/agents lists them)`);
}
