// Tables over prepared statements, one statement per method; the unit of work around them is
// SqliteBackend.run() (one BEGIN IMMEDIATE transaction).

import type Database from "better-sqlite3";
import type { Tables } from "../engine/tables.js";
import { KEYED_ACTION, KEYED_TARGET } from "../shared/audit-chain.js";
import * as lr from "../shared/lease-rows.js";
import { sqliteAlertTables } from "./alert-tables.js";
import { sqliteChangeTables } from "./change-tables.js";
import type { FlowNames } from "./flow-names.js";
import { sqliteFlowTables } from "./flow-tables.js";
import * as rows from "./rows.js";
import { statements } from "./statements.js";

const cols = (names: string) => names.split(/\s+/).filter(Boolean);
const WORKLOAD = cols(`name labels addresses mode managed namespace namespace_labels named_ports
  created_at updated_at`);
const DRAFT = cols("name text parsed parsed_version base_revision updated_at updated_by");
const REVISION = cols(`number text parsed parsed_version author created_at comment hash
  rolled_back_from`);
const PROFILE = cols(
  "id name key_hash labels mode expires_at max_uses workload uses revoked created_at",
);
const AGENT = cols(`id workload profile_id credential_hash revoked hostname interfaces enrolled_at
  last_heartbeat applied_revision applied_hash drift last_error maintenance_hash`);
const TOKEN = cols("hash name role created_at");
const AUDIT = cols("seq at actor action target before after prev_hash hash");

const MAX = Number.MAX_SAFE_INTEGER;
/** SQLite reads LIMIT -1 as no limit. */
const lim = (n: number) => (n >= MAX ? -1 : n);

export function sqliteTables(db: Database.Database, names: FlowNames): Tables {
  const { one, many, put, insert, exec, scalar } = statements(db);
  const W = rows.workloadFromRow;
  const P = rows.profileFromRow;
  const A = rows.agentFromRow;
  const T = rows.tokenFromRow;
  const lastRevision = scalar("SELECT max(number) FROM policy_revisions");
  const active = scalar("SELECT active_revision FROM policy_state WHERE id = 1");
  const setActive = exec("UPDATE policy_state SET active_revision = ? WHERE id = 1");
  const revisionsBefore = many(
    "SELECT * FROM policy_revisions WHERE number < ? ORDER BY number DESC LIMIT ?",
    rows.revisionFromRow,
  );
  const deleteDraft = exec("DELETE FROM policy_drafts WHERE name = ?");
  const putWorkloadRow = put("workloads", WORKLOAD, "name", rows.workloadToRow);
  const deleteWorkloadRow = exec("DELETE FROM workloads WHERE name = ?");
  const storedAddresses = db.prepare("SELECT addresses FROM workloads WHERE name = ?").pluck();
  const unindex = exec("DELETE FROM workload_addresses WHERE workload = ?");
  const index = exec("INSERT OR IGNORE INTO workload_addresses (address, workload) VALUES (?, ?)");
  const holders = db
    .prepare("SELECT workload FROM workload_addresses WHERE address = ? ORDER BY workload")
    .pluck();
  const auditHead = one("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", (r) => ({
    seq: Number(r.seq),
    hash: String(r.hash),
  }));
  const SEL_AUDIT = "SELECT * FROM audit_log WHERE";
  const auditAll = many(`${SEL_AUDIT} seq > ? ORDER BY seq LIMIT ?`, rows.auditFromRow);
  const auditOf = many(
    `${SEL_AUDIT} target = ? AND seq > ? ORDER BY seq LIMIT ?`,
    rows.auditFromRow,
  );
  // Served by the (target, seq) index: the audit/key target has one entry or none.
  const auditKeyed = one(
    `${SEL_AUDIT} target = '${KEYED_TARGET}' AND action = '${KEYED_ACTION}' ORDER BY seq LIMIT 1`,
    rows.auditFromRow,
  );
  // No index on prev_hash: asked only when verify() found a break.
  const successor = one("SELECT seq FROM audit_log WHERE prev_hash = ? AND seq <> ? LIMIT 1", (r) =>
    Number(r.seq),
  );
  return {
    workload: one("SELECT * FROM workloads WHERE name = ?", W),
    workloads: many("SELECT * FROM workloads ORDER BY name", W),
    putWorkload: (w) => {
      const old = storedAddresses.get(w.name) as string | undefined;
      const addresses = JSON.stringify(w.addresses);
      putWorkloadRow(w);
      if (old === addresses) return;
      if (old !== undefined) unindex(w.name);
      for (const a of w.addresses) index(a, w.name);
    },
    deleteWorkload: (name) => {
      deleteWorkloadRow(name);
      unindex(name);
    },
    workloadsAt: (address) => holders.all(address) as string[],
    draft: one("SELECT * FROM policy_drafts WHERE name = ?", rows.draftFromRow),
    drafts: many("SELECT * FROM policy_drafts ORDER BY name", rows.draftFromRow),
    putDraft: put("policy_drafts", DRAFT, "name", rows.draftToRow),
    deleteDraft: (name) => deleteDraft(name) > 0,
    revision: one("SELECT * FROM policy_revisions WHERE number = ?", rows.revisionFromRow),
    revisions: (limit, before = MAX) => revisionsBefore(before, lim(limit)),
    lastRevisionNumber: () => lastRevision() ?? 0,
    insertRevision: insert("policy_revisions", REVISION, rows.revisionToRow),
    activeRevision: () => active(),
    setActiveRevision: (n) => void setActive(n),
    profile: one("SELECT * FROM enrolment_profiles WHERE id = ?", P),
    profileByKey: one("SELECT * FROM enrolment_profiles WHERE key_hash = ?", P),
    profileByName: one("SELECT * FROM enrolment_profiles WHERE name = ?", P),
    profiles: many("SELECT * FROM enrolment_profiles ORDER BY id", P),
    putProfile: put("enrolment_profiles", PROFILE, "id", rows.profileToRow),
    agent: one("SELECT * FROM agents WHERE id = ?", A),
    agentByCredential: one("SELECT * FROM agents WHERE credential_hash = ?", A),
    agentsOf: many("SELECT * FROM agents WHERE workload = ? ORDER BY id", A),
    agents: many("SELECT * FROM agents ORDER BY id", A),
    putAgent: put("agents", AGENT, "id", rows.agentToRow),
    deleteAgent: (
      (del) => (id: string) =>
        void del(id)
    )(exec("DELETE FROM agents WHERE id = ?")),
    token: one("SELECT * FROM api_tokens WHERE hash = ?", T),
    tokenByName: one("SELECT * FROM api_tokens WHERE name = ?", T),
    tokens: many("SELECT * FROM api_tokens ORDER BY name", T),
    putToken: put("api_tokens", TOKEN, "hash", rows.tokenToRow),
    deleteToken: (
      (del) => (name: string) =>
        void del(name)
    )(exec("DELETE FROM api_tokens WHERE name = ?")),
    auditHead: () => auditHead(),
    appendAudit: insert("audit_log", AUDIT, rows.auditToRow),
    auditEntries: (after, limit, target) =>
      target === undefined ? auditAll(after, lim(limit)) : auditOf(target, after, lim(limit)),
    auditKeyed: () => auditKeyed(),
    auditSuccessor: (prevHash, notSeq) => successor(prevHash, notSeq),
    ...sqliteFlowTables(db, names),
    ...sqliteAlertTables(db),
    ...sqliteChangeTables(db),
    lease: one("SELECT * FROM leases WHERE name = ?", lr.leaseFromRow),
    leases: many("SELECT * FROM leases ORDER BY name", lr.leaseFromRow),
    putLease: put("leases", lr.LEASE_COLUMNS, "name", lr.leaseToRow),
    sharedSecret: one("SELECT * FROM shared_secrets WHERE name = ?", lr.secretFromRow),
    insertSharedSecret: insert("shared_secrets", lr.SECRET_COLUMNS, lr.secretToRow),
  };
}
