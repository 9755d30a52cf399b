// Agents: enrolment (key use + workload + agent + audit as one unit), authentication by
// credential hash, unaudited status reports (heartbeats are too frequent for the audit log).
//
// Enrolment decides who the agent becomes, in this order, before anything is written:
//   key usable? ─> name: the profile's (bound; another asked for is refused), else the agent's,
//   else the default from the hostname ─> no live agent on it ─> it does not exist, unless the
//   profile is bound to it (then it is taken over, its labels and mode kept) ─> none of the
//   addresses is another workload's ─> spend a use, write workload, agent, audit.
// The key comes first so that someone without a usable key learns nothing about workloads.

import type { Workload } from "@microseg/core";
import type {
  AgentRepo,
  AgentReport,
  AgentReportResult,
  EnrolInput,
  EnrolRefusal,
  StatusReport,
} from "../port.js";
import type { AgentRecord, EnrolmentProfile, WorkloadRecord } from "../records.js";
import { toJson } from "../shared/canonical-json.js";
import { agentSnapshot } from "../shared/rules.js";
import { workloadRecord } from "../shared/workload-record.js";
import { record } from "./audit.js";
import { spend, usableProfile } from "./enrolment.js";
import type { Backend, EngineContext, Tables } from "./tables.js";
import { addressTaken, canonicalAddresses } from "./workloads.js";

export function agentRepo(db: Backend, ctx: EngineContext): AgentRepo {
  return {
    async enrol(input) {
      return db.run((t) => enrol(t, ctx, input));
    },
    async get(id) {
      return db.run(async (t) => t.agent(id), "read");
    },
    async authenticate(credentialHash) {
      const agent = await db.run(async (t) => t.agentByCredential(credentialHash), "read");
      return agent?.revoked === false ? agent : undefined;
    },
    async list() {
      return db.run(async (t) => t.agents(), "read");
    },
    async report(id, report) {
      return db.run(async (t) => (await applyReports(t, [{ id, report }]))[0] as AgentReportResult);
    },
    async reportMany(reports) {
      if (reports.length === 0) return [];
      return db.run(async (t) => {
        const results = await applyReports(t, reports);
        ctx.failpoint?.("agent.reportMany:applied");
        return results;
      });
    },
    async setMaintenanceHash(id, hash, actor) {
      return db.run(async (t) => {
        const before = await t.agent(id);
        if (before === undefined || before.revoked) return undefined;
        const after = { ...before, maintenanceHash: hash };
        await t.putAgent(after);
        // The hash stays out of the entry; that a token was issued, by whom and when is the fact.
        await record(t, ctx, {
          actor,
          action: "agent.maintenance-token",
          target: `agent/${id}`,
          after: { workload: before.workload, replaced: before.maintenanceHash !== null },
        });
        return after;
      });
    },
    async revoke(id, actor) {
      return db.run(async (t) => {
        const before = await t.agent(id);
        if (before === undefined) return undefined;
        if (before.revoked) return before;
        const after = { ...before, revoked: true };
        await t.putAgent(after);
        const snap = { before: agentSnapshot(before), after: agentSnapshot(after) };
        await record(t, ctx, { actor, action: "agent.revoke", target: `agent/${id}`, ...snap });
        return after;
      });
    },
  };
}

async function enrol(t: Tables, ctx: EngineContext, input: EnrolInput) {
  if (
    (await t.agent(input.agentId)) !== undefined ||
    (await t.agentByCredential(input.credentialHash))
  ) {
    return { ok: false, reason: "conflict" } as const;
  }
  const usable = await usableProfile(t, input.keyHash, input.now);
  if (!usable.ok) return usable;
  const target = await enrolTarget(t, usable.profile, input);
  if ("reason" in target) return target;
  const addresses = canonicalAddresses(input.addresses);
  const taken = await addressTaken(t, target.name, addresses, input.declared);
  if (taken !== undefined) return taken;
  const profile = await spend(t, usable.profile);
  ctx.failpoint?.("agent.enrol:consumed");
  const at = input.now.toISOString();
  const { before } = target;
  // A new workload gets the profile's labels and mode; one taken over keeps its own.
  const base: Workload = before ?? {
    name: target.name,
    labels: profile.labels,
    mode: profile.mode,
    addresses: [],
    managed: true,
  };
  const workload = workloadRecord(
    { ...base, name: target.name, addresses, managed: true },
    before?.createdAt ?? at,
    at,
  );
  await t.putWorkload(workload);
  ctx.failpoint?.("agent.enrol:workload");
  const agent: AgentRecord = {
    id: input.agentId,
    workload: target.name,
    profileId: profile.id,
    credentialHash: input.credentialHash,
    revoked: false,
    hostname: input.hostname,
    interfaces: input.interfaces.map((i) => ({ name: i.name, addresses: [...i.addresses] })),
    enrolledAt: at,
    lastHeartbeat: null,
    appliedRevision: null,
    appliedHash: null,
    drift: "unknown",
    lastError: null,
    maintenanceHash: null,
  };
  await t.putAgent(agent);
  const after = { agent: agentSnapshot(agent), workload: toJson(workload), profile: profile.id };
  await record(t, ctx, {
    actor: `agent/${agent.id}`,
    action: "agent.enrol",
    target: `agent/${agent.id}`,
    before: toJson(before ?? null),
    after,
  });
  return { ok: true, agent, workload } as const;
}

interface Target {
  readonly name: string;
  /** The workload taken over (stored, or declared by the policy); undefined: a new one. */
  readonly before?: Workload & Partial<Pick<WorkloadRecord, "createdAt">>;
}

/** The workload this enrolment may become, or why none. */
async function enrolTarget(
  t: Tables,
  profile: EnrolmentProfile,
  input: EnrolInput,
): Promise<Target | EnrolRefusal> {
  const bound = profile.workload;
  if (bound !== null && input.workload !== undefined && input.workload !== bound) {
    return { ok: false, reason: "wrong-workload", workload: bound };
  }
  const name = bound ?? input.workload ?? input.defaultWorkload;
  if (name === undefined) return { ok: false, reason: "no-name" };
  const live = (await t.agentsOf(name)).find((a) => !a.revoked);
  if (live !== undefined)
    return { ok: false, reason: "workload-taken", workload: name, agent: live.id };
  const stored = await t.workload(name);
  const declared = stored === undefined ? input.declared?.find((d) => d.name === name) : undefined;
  const before = stored ?? declared;
  if (before !== undefined && bound !== name) {
    return { ok: false, reason: "workload-exists", workload: name, declared: stored === undefined };
  }
  return before === undefined ? { name } : { name, before };
}

/**
 * One read and one write for the reports (on PostgreSQL two statements, not two per report); an
 * agent reported twice gets both, in order.
 */
async function applyReports(
  t: Tables,
  reports: readonly AgentReport[],
): Promise<AgentReportResult[]> {
  const current = new Map(
    (await t.agentsByIds([...new Set(reports.map((r) => r.id))])).map((a) => [a.id, a]),
  );
  const changed = new Set<string>();
  const results = reports.map((r) => {
    const result = reported(current.get(r.id), r.report);
    if (result.ok) {
      current.set(r.id, result.agent);
      changed.add(r.id);
    }
    return result;
  });
  await t.putAgents([...changed].map((id) => current.get(id) as AgentRecord));
  return results;
}

/** What a report makes of a stored agent (nothing written yet). */
function reported(agent: AgentRecord | undefined, report: StatusReport): AgentReportResult {
  if (agent === undefined) return { ok: false, reason: "not-found" };
  if (agent.revoked) return { ok: false, reason: "revoked" };
  return { ok: true, agent: applyReport(agent, report) };
}

function applyReport(agent: AgentRecord, r: StatusReport): AgentRecord {
  return {
    ...agent,
    lastHeartbeat: r.at.toISOString(),
    ...(r.hostname !== undefined && { hostname: r.hostname }),
    ...(r.interfaces !== undefined && {
      interfaces: r.interfaces.map((i) => ({ name: i.name, addresses: [...i.addresses] })),
    }),
    ...(r.applied !== undefined && {
      appliedRevision: r.applied.revision,
      appliedHash: r.applied.rulesetHash,
    }),
    ...(r.drift !== undefined && { drift: r.drift }),
    ...(r.error !== undefined && { lastError: r.error }),
  };
}
