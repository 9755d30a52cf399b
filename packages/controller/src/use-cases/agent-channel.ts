// The agent side of the channel: authenticate a credential, long-poll for the agent's own
// RuleSet, record status reports (heartbeat, acknowledgement, drift, events).
import { createHash } from "node:crypto";
import {
  ApiError,
  NO_RULESET,
  POLL_WAIT_DEFAULT_S,
  type PolicyResponse,
  type StatusRequest,
  type StatusResponse,
} from "@microseg/protocol";
import type { AgentRecord, DriftState, StatusReport } from "@microseg/store";
import type { ControllerContext } from "../context.js";
import { agentWriteFailed } from "../limits/agent-failure.js";
import { hashSecret } from "../secrets.js";
import { revokeAgent } from "./agents.js";

/**
 * The live agent owning `credential`; 401 for unknown and revoked credentials alike. Served from
 * the in-memory credential cache when it knows the credential, else from the store (and cached).
 */
export async function authenticateAgent(
  ctx: ControllerContext,
  credential: string | undefined,
): Promise<AgentRecord> {
  const agent = credential === undefined ? undefined : await liveAgent(ctx, hashSecret(credential));
  if (agent === undefined) {
    throw new ApiError(
      "MSEG_API_UNAUTHENTICATED",
      "unknown or revoked agent credential; enrol again",
    );
  }
  return agent;
}

async function liveAgent(
  ctx: ControllerContext,
  credentialHash: string,
): Promise<AgentRecord | undefined> {
  const cached = ctx.credentials.lookup(credentialHash);
  if (cached !== undefined) return cached;
  const stored = await ctx.store.agents.authenticate(credentialHash);
  if (stored === undefined || ctx.credentials.isRevoked(stored.id)) return undefined;
  ctx.credentials.remember(stored);
  return stored;
}

/** A replica that cannot follow the shared store serves no policy from memory (follow-health.ts). */
function refuseIfStale(ctx: ControllerContext): void {
  const problem = ctx.following?.problem();
  if (problem !== undefined) throw new ApiError("MSEG_CONTROLLER_NOT_READY", problem);
}

/**
 * Answers at once when the agent's RuleSet hash differs from `known`, else waits up to `wait`
 * seconds for a change. undefined: nothing changed (the HTTP layer answers 204). An agent holds
 * one poll at a time: a newer one answers this one 409 MSEG_API_POLL_REPLACED at once.
 */

export async function pollPolicy(
  ctx: ControllerContext,
  agent: AgentRecord,
  known: string | undefined,
  wait: number | undefined,
  signal?: AbortSignal,
  mgmt?: string,
): Promise<PolicyResponse | undefined> {
  const ms = (wait ?? POLL_WAIT_DEFAULT_S) * 1000;
  refuseIfStale(ctx);
  const version = managementVersion(ctx.settings);
  // A stale management version (the agent's answer came from before a restart with other
  // management settings) is a change even when the RuleSet is the same.
  const stale = mgmt !== undefined && mgmt !== version;
  // An agent that names another hash than the last one we answered it never got that answer
  // (a connection lost on the way back): answer again, so that it reports this revision.
  const last = ctx.hub.lastAnswer(agent.id);
  const missed = known !== undefined && last !== undefined && known !== last.hash;
  const outcome =
    known === undefined || stale || missed
      ? "changed"
      : await ctx.hub.wait(agent.workload, known, ms, signal, agent.id);
  if (outcome === "replaced") {
    throw new ApiError(
      "MSEG_API_POLL_REPLACED",
      "a newer long-poll of this agent replaced this one; one agent holds one poll",
    );
  }
  if (outcome !== "changed") return undefined;
  refuseIfStale(ctx);
  // Revoked while waiting: the answer would carry policy to an agent that lost its right to it.
  // revokeAgent() marks the credential cache before it answers, so memory is enough here.
  if (ctx.credentials.isRevoked(agent.id)) {
    throw new ApiError("MSEG_API_UNAUTHENTICATED", "the agent was revoked");
  }
  const ruleSet = ctx.hub.ruleSet(agent.workload) ?? null;
  ctx.hub.answered(agent.id, {
    revision: ctx.hub.activeRevision ?? 0,
    hash: ruleSet?.hash ?? NO_RULESET,
  });
  return {
    revision: ctx.hub.activeRevision,
    ruleSet: ruleSet as PolicyResponse["ruleSet"],
    management: {
      v4: [...ctx.settings.management.v4],
      v6: [...ctx.settings.management.v6],
    },
    managementAccess: ctx.settings.managementAccess as PolicyResponse["managementAccess"],
    managementVersion: version,
    issuedAt: ctx.clock().toISOString(),
  };
}

const versions = new WeakMap<object, string>();

/** sha256 (16 hex) of the management addresses and their access: fixed for a settings object. */
export function managementVersion(
  settings: Pick<ControllerContext["settings"], "management" | "managementAccess">,
): string {
  let v = versions.get(settings);
  if (v === undefined) {
    const text = JSON.stringify([settings.management, settings.managementAccess]);
    v = createHash("sha256").update(text).digest("hex").slice(0, 16);
    versions.set(settings, v);
  }
  return v;
}

export async function reportStatus(
  ctx: ControllerContext,
  agent: AgentRecord,
  body: StatusRequest,
): Promise<StatusResponse> {
  const report = statusReport(ctx.clock(), body);
  // Batched with other agents' reports; resolves once this one committed.
  const result = await ctx.statusReports
    .report(agent.id, report)
    .catch((err: unknown) =>
      agentWriteFailed(ctx.log, ctx.limits.log, agent.id, "status report", err),
    );
  if (!result.ok) throw new ApiError("MSEG_API_UNAUTHENTICATED", "the agent was revoked");
  const applied = body.applied;
  if (applied?.ok === true && typeof applied.revision === "number") {
    ctx.metrics.acknowledged(applied.revision, agent.workload);
  }
  // Bounded per agent and minute; the rest folded into summary rows (audit/agent-events.ts).
  await ctx.agentEvents.record(agent, body.events ?? []);
  // Unpaired with its maintenance token: the host dropped its table and its credential, so the
  // agent is revoked (its workload may enrol again). The credential proves the sender.
  if (body.events?.some((e) => e.kind === "unpaired")) {
    await revokeAgent(ctx, agent.id, `agent/${agent.id}`);
  }
  const maintenanceHash = result.agent.maintenanceHash;
  return {
    currentHash: ctx.hub.hashOf(agent.workload),
    heartbeatSeconds: ctx.settings.heartbeatSeconds,
    ...(maintenanceHash !== null && { maintenanceHash }),
  };
}

function statusReport(at: Date, body: StatusRequest): StatusReport {
  const applied = body.applied;
  const report: { -readonly [K in keyof StatusReport]: StatusReport[K] } = { at };
  if (applied?.ok === true) {
    report.applied = { revision: applied.revision ?? 0, rulesetHash: applied.rulesetHash };
    report.error = null;
  } else if (applied !== undefined) {
    report.error = applied.error ?? "apply failed";
  }
  if (body.drift !== undefined) report.drift = driftState(body.drift);
  return report;
}

function driftState(d: NonNullable<StatusRequest["drift"]>): DriftState {
  if (!d.drifted) return "in-sync";
  return d.repairedAt === undefined ? "drifted" : "repaired";
}
