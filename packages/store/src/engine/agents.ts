// Agents: enrolment (key use + workload + agent + audit as one unit), authentication by
// credential hash, unaudited status reports (heartbeats are too frequent for the audit log).

import type { AgentRepo, AgentReportResult, EnrolInput, StatusReport } from "../port.js";
import type { AgentRecord } from "../records.js";
import { toJson } from "../shared/canonical-json.js";
import { agentSnapshot } from "../shared/rules.js";
import { workloadRecord } from "../shared/workload-record.js";
import { record } from "./audit.js";
import { consume } from "./enrolment.js";
import type { Backend, EngineContext, Tables } from "./tables.js";

export function agentRepo(db: Backend, ctx: EngineContext): AgentRepo {
  return {
    async enrol(input) {
      return db.run((t) => enrol(t, ctx, input));
    },
    async get(id) {
      return db.run((t) => t.agent(id));
    },
    async authenticate(credentialHash) {
      const agent = db.run((t) => t.agentByCredential(credentialHash));
      return agent?.revoked === false ? agent : undefined;
    },
    async list() {
      return db.run((t) => t.agents());
    },
    async report(id, report) {
      return db.run((t) => reportOne(t, id, report));
    },
    async reportMany(reports) {
      if (reports.length === 0) return [];
      return db.run((t) => {
        const results = reports.map((r) => reportOne(t, r.id, r.report));
        ctx.failpoint?.("agent.reportMany:applied");
        return results;
      });
    },
    async revoke(id, actor) {
      return db.run((t) => {
        const before = t.agent(id);
        if (before === undefined) return undefined;
        if (before.revoked) return before;
        const after = { ...before, revoked: true };
        t.putAgent(after);
        const snap = { before: agentSnapshot(before), after: agentSnapshot(after) };
        record(t, ctx, { actor, action: "agent.revoke", target: `agent/${id}`, ...snap });
        return after;
      });
    },
  };
}

function enrol(t: Tables, ctx: EngineContext, input: EnrolInput) {
  if (t.agent(input.agentId) !== undefined || t.agentByCredential(input.credentialHash)) {
    return { ok: false, reason: "conflict" } as const;
  }
  if (t.agentsOf(input.workload).some((a) => !a.revoked)) {
    return { ok: false, reason: "workload-taken" } as const;
  }
  const used = consume(t, input.keyHash, input.now);
  if (!used.ok) return used;
  ctx.failpoint?.("agent.enrol:consumed");
  const { profile } = used;
  const at = input.now.toISOString();
  const before = t.workload(input.workload);
  const workload = workloadRecord(
    {
      ...(before ?? { managed: true }),
      name: input.workload,
      labels: profile.labels,
      mode: profile.mode,
      addresses: input.addresses,
      managed: true,
    },
    before?.createdAt ?? at,
    at,
  );
  t.putWorkload(workload);
  ctx.failpoint?.("agent.enrol:workload");
  const agent: AgentRecord = {
    id: input.agentId,
    workload: input.workload,
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
  };
  t.putAgent(agent);
  const after = { agent: agentSnapshot(agent), workload: toJson(workload), profile: profile.id };
  record(t, ctx, {
    actor: `agent/${agent.id}`,
    action: "agent.enrol",
    target: `agent/${agent.id}`,
    before: toJson(before ?? null),
    after,
  });
  return { ok: true, agent, workload } as const;
}

function reportOne(t: Tables, id: string, report: StatusReport): AgentReportResult {
  const agent = t.agent(id);
  if (agent === undefined) return { ok: false, reason: "not-found" };
  if (agent.revoked) return { ok: false, reason: "revoked" };
  const next = applyReport(agent, report);
  t.putAgent(next);
  return { ok: true, agent: next };
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
