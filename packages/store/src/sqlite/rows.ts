// Row <-> record mapping. JSON columns hold objects/arrays; booleans are 0/1; NULL maps to an
// absent optional field (workloads) or to null (everything else).

import type { Labels, Mode, PortRange } from "@microseg/core";
import type {
  AgentRecord,
  ApiToken,
  AuditEntry,
  Draft,
  DriftState,
  EnrolmentProfile,
  Json,
  Revision,
  WorkloadRecord,
} from "../records.js";

type Row = Record<string, unknown>;
const json = <T>(v: unknown) => JSON.parse(v as string) as T;
const jsonOrNull = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));
const str = (v: unknown) => v as string;
const strOrNull = (v: unknown) => (v === null ? null : (v as string));
const numOrNull = (v: unknown) => (v === null ? null : Number(v));

export function workloadFromRow(r: Row): WorkloadRecord {
  return {
    name: str(r.name),
    labels: json<Labels>(r.labels),
    addresses: json<string[]>(r.addresses),
    mode: r.mode as Mode,
    managed: r.managed === 1,
    ...(r.namespace !== null && { namespace: str(r.namespace) }),
    ...(r.namespace_labels !== null && { namespaceLabels: json<Labels>(r.namespace_labels) }),
    ...(r.named_ports !== null && { namedPorts: json<Record<string, PortRange>>(r.named_ports) }),
    createdAt: str(r.created_at),
    updatedAt: str(r.updated_at),
  };
}

export function workloadToRow(w: WorkloadRecord): Row {
  return {
    name: w.name,
    labels: JSON.stringify(w.labels),
    addresses: JSON.stringify(w.addresses),
    mode: w.mode,
    managed: w.managed ? 1 : 0,
    namespace: w.namespace ?? null,
    namespace_labels: jsonOrNull(w.namespaceLabels),
    named_ports: jsonOrNull(w.namedPorts),
    created_at: w.createdAt,
    updated_at: w.updatedAt,
  };
}

export function draftFromRow(r: Row): Draft {
  return {
    name: str(r.name),
    text: str(r.text),
    parsed: json<Json>(r.parsed),
    parsedVersion: Number(r.parsed_version),
    baseRevision: numOrNull(r.base_revision),
    updatedAt: str(r.updated_at),
    updatedBy: str(r.updated_by),
  };
}

export function draftToRow(d: Draft): Row {
  return {
    name: d.name,
    text: d.text,
    parsed: JSON.stringify(d.parsed),
    parsed_version: d.parsedVersion,
    base_revision: d.baseRevision,
    updated_at: d.updatedAt,
    updated_by: d.updatedBy,
  };
}

export function revisionFromRow(r: Row): Revision {
  return {
    number: Number(r.number),
    text: str(r.text),
    parsed: json<Json>(r.parsed),
    parsedVersion: Number(r.parsed_version),
    author: str(r.author),
    createdAt: str(r.created_at),
    comment: str(r.comment),
    hash: str(r.hash),
    rolledBackFrom: numOrNull(r.rolled_back_from),
  };
}

export function revisionToRow(v: Revision): Row {
  return {
    number: v.number,
    text: v.text,
    parsed: JSON.stringify(v.parsed),
    parsed_version: v.parsedVersion,
    author: v.author,
    created_at: v.createdAt,
    comment: v.comment,
    hash: v.hash,
    rolled_back_from: v.rolledBackFrom,
  };
}

export function profileFromRow(r: Row): EnrolmentProfile {
  return {
    id: str(r.id),
    name: str(r.name),
    keyHash: str(r.key_hash),
    labels: json<Labels>(r.labels),
    mode: r.mode as Mode,
    expiresAt: strOrNull(r.expires_at),
    maxUses: numOrNull(r.max_uses),
    workload: strOrNull(r.workload),
    uses: Number(r.uses),
    revoked: r.revoked === 1,
    createdAt: str(r.created_at),
  };
}

export function profileToRow(p: EnrolmentProfile): Row {
  return {
    id: p.id,
    name: p.name,
    key_hash: p.keyHash,
    labels: JSON.stringify(p.labels),
    mode: p.mode,
    expires_at: p.expiresAt,
    max_uses: p.maxUses,
    workload: p.workload,
    uses: p.uses,
    revoked: p.revoked ? 1 : 0,
    created_at: p.createdAt,
  };
}

export function agentFromRow(r: Row): AgentRecord {
  return {
    id: str(r.id),
    workload: str(r.workload),
    profileId: strOrNull(r.profile_id),
    credentialHash: str(r.credential_hash),
    revoked: r.revoked === 1,
    hostname: str(r.hostname),
    interfaces: json<AgentRecord["interfaces"]>(r.interfaces),
    enrolledAt: str(r.enrolled_at),
    lastHeartbeat: strOrNull(r.last_heartbeat),
    appliedRevision: numOrNull(r.applied_revision),
    appliedHash: strOrNull(r.applied_hash),
    drift: r.drift as DriftState,
    lastError: strOrNull(r.last_error),
    maintenanceHash: strOrNull(r.maintenance_hash),
  };
}

export function agentToRow(a: AgentRecord): Row {
  return {
    id: a.id,
    workload: a.workload,
    profile_id: a.profileId,
    credential_hash: a.credentialHash,
    revoked: a.revoked ? 1 : 0,
    hostname: a.hostname,
    interfaces: JSON.stringify(a.interfaces),
    enrolled_at: a.enrolledAt,
    last_heartbeat: a.lastHeartbeat,
    applied_revision: a.appliedRevision,
    applied_hash: a.appliedHash,
    drift: a.drift,
    last_error: a.lastError,
    maintenance_hash: a.maintenanceHash,
  };
}

export function tokenFromRow(r: Row): ApiToken {
  return { hash: str(r.hash), name: str(r.name), role: str(r.role), createdAt: str(r.created_at) };
}

export function tokenToRow(t: ApiToken): Row {
  return { hash: t.hash, name: t.name, role: t.role, created_at: t.createdAt };
}

export function auditFromRow(r: Row): AuditEntry {
  return {
    seq: Number(r.seq),
    at: str(r.at),
    actor: str(r.actor),
    action: str(r.action),
    target: str(r.target),
    before: json<Json>(r.before),
    after: json<Json>(r.after),
    prevHash: str(r.prev_hash),
    hash: str(r.hash),
  };
}

export function auditToRow(e: AuditEntry): Row {
  return {
    seq: e.seq,
    at: e.at,
    actor: e.actor,
    action: e.action,
    target: e.target,
    before: JSON.stringify(e.before),
    after: JSON.stringify(e.after),
    prev_hash: e.prevHash,
    hash: e.hash,
  };
}
