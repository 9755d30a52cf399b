// Tables over prepared better-sqlite3 statements. Statements are prepared once per connection;
// every method is a single statement, the unit of work around them is SqliteBackend.run().

import type Database from "better-sqlite3";
import type { Tables } from "../engine/tables.js";
import * as rows from "./rows.js";

type Row = Record<string, unknown>;

/** INSERT ... ON CONFLICT (key) DO UPDATE: a put that keeps the row's identity. */
function upsertSql(table: string, columns: string[], key: string): string {
  const names = columns.join(", ");
  const params = columns.map((c) => `@${c}`).join(", ");
  const sets = columns.filter((c) => c !== key).map((c) => `${c} = excluded.${c}`);
  return `INSERT INTO ${table} (${names}) VALUES (${params}) ON CONFLICT (${key}) DO UPDATE SET ${sets.join(", ")}`;
}

const WORKLOAD_COLS = [
  "name",
  "labels",
  "addresses",
  "mode",
  "managed",
  "namespace",
  "namespace_labels",
  "named_ports",
  "created_at",
  "updated_at",
];
const DRAFT_COLS = [
  "name",
  "text",
  "parsed",
  "parsed_version",
  "base_revision",
  "updated_at",
  "updated_by",
];
const PROFILE_COLS = [
  "id",
  "name",
  "key_hash",
  "labels",
  "mode",
  "expires_at",
  "max_uses",
  "uses",
  "revoked",
  "created_at",
];
const AGENT_COLS = [
  "id",
  "workload",
  "profile_id",
  "credential_hash",
  "revoked",
  "hostname",
  "interfaces",
  "enrolled_at",
  "last_heartbeat",
  "applied_revision",
  "applied_hash",
  "drift",
  "last_error",
];
const REVISION_COLS = [
  "number",
  "text",
  "parsed",
  "parsed_version",
  "author",
  "created_at",
  "comment",
  "hash",
  "rolled_back_from",
];
const AUDIT_COLS = [
  "seq",
  "at",
  "actor",
  "action",
  "target",
  "before",
  "after",
  "prev_hash",
  "hash",
];

const insertSql = (table: string, cols: string[]) =>
  `INSERT INTO ${table} (${cols.join(", ")}) VALUES (${cols.map((c) => `@${c}`).join(", ")})`;

export function sqliteTables(db: Database.Database): Tables {
  const q = (sql: string) => db.prepare(sql);
  const one = <T>(sql: string, map: (r: Row) => T) => {
    const st = q(sql);
    return (...args: unknown[]) => {
      const r = st.get(...args) as Row | undefined;
      return r === undefined ? undefined : map(r);
    };
  };
  const many = <T>(sql: string, map: (r: Row) => T) => {
    const st = q(sql);
    return (...args: unknown[]) => (st.all(...args) as Row[]).map(map);
  };
  const put = <T>(sql: string, toRow: (v: T) => Row) => {
    const st = q(sql);
    return (v: T) => void st.run(toRow(v));
  };
  const exec = (sql: string) => {
    const st = q(sql);
    return (...args: unknown[]) => st.run(...args).changes;
  };
  const scalar = (sql: string) => {
    const st = q(sql).pluck();
    return () => st.get() as number | null;
  };

  const lastRevision = scalar("SELECT max(number) FROM policy_revisions");
  const active = scalar("SELECT active_revision FROM policy_state WHERE id = 1");
  const setActive = exec("UPDATE policy_state SET active_revision = ? WHERE id = 1");
  const revisionsBefore = many(
    "SELECT * FROM policy_revisions WHERE number < ? ORDER BY number DESC LIMIT ?",
    rows.revisionFromRow,
  );
  const auditHead = q("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
  const auditAll = many(
    "SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?",
    rows.auditFromRow,
  );
  const auditOf = many(
    "SELECT * FROM audit_log WHERE target = ? AND seq > ? ORDER BY seq LIMIT ?",
    rows.auditFromRow,
  );
  const deleteDraft = exec("DELETE FROM policy_drafts WHERE name = ?");
  const MAX = Number.MAX_SAFE_INTEGER;
  /** SQLite reads LIMIT -1 as no limit. */
  const lim = (n: number) => (n >= MAX ? -1 : n);

  return {
    workload: one("SELECT * FROM workloads WHERE name = ?", rows.workloadFromRow),
    workloads: many("SELECT * FROM workloads ORDER BY name", rows.workloadFromRow),
    putWorkload: put(upsertSql("workloads", WORKLOAD_COLS, "name"), rows.workloadToRow),
    deleteWorkload: exec("DELETE FROM workloads WHERE name = ?"),
    draft: one("SELECT * FROM policy_drafts WHERE name = ?", rows.draftFromRow),
    drafts: many("SELECT * FROM policy_drafts ORDER BY name", rows.draftFromRow),
    putDraft: put(upsertSql("policy_drafts", DRAFT_COLS, "name"), rows.draftToRow),
    deleteDraft: (name) => deleteDraft(name) > 0,
    revision: one("SELECT * FROM policy_revisions WHERE number = ?", rows.revisionFromRow),
    revisions: (limit, before = MAX) => revisionsBefore(before, lim(limit)),
    lastRevisionNumber: () => lastRevision() ?? 0,
    insertRevision: put(insertSql("policy_revisions", REVISION_COLS), rows.revisionToRow),
    activeRevision: () => active(),
    setActiveRevision: (n) => void setActive(n),
    profile: one("SELECT * FROM enrolment_profiles WHERE id = ?", rows.profileFromRow),
    profileByKey: one("SELECT * FROM enrolment_profiles WHERE key_hash = ?", rows.profileFromRow),
    profileByName: one("SELECT * FROM enrolment_profiles WHERE name = ?", rows.profileFromRow),
    profiles: many("SELECT * FROM enrolment_profiles ORDER BY id", rows.profileFromRow),
    putProfile: put(upsertSql("enrolment_profiles", PROFILE_COLS, "id"), rows.profileToRow),
    agent: one("SELECT * FROM agents WHERE id = ?", rows.agentFromRow),
    agentByCredential: one("SELECT * FROM agents WHERE credential_hash = ?", rows.agentFromRow),
    agentsOf: many("SELECT * FROM agents WHERE workload = ? ORDER BY id", rows.agentFromRow),
    agents: many("SELECT * FROM agents ORDER BY id", rows.agentFromRow),
    putAgent: put(upsertSql("agents", AGENT_COLS, "id"), rows.agentToRow),
    deleteAgent: exec("DELETE FROM agents WHERE id = ?"),
    token: one("SELECT * FROM api_tokens WHERE hash = ?", rows.tokenFromRow),
    tokenByName: one("SELECT * FROM api_tokens WHERE name = ?", rows.tokenFromRow),
    tokens: many("SELECT * FROM api_tokens ORDER BY name", rows.tokenFromRow),
    putToken: put(upsertSql("api_tokens", ["hash", "name", "role", "created_at"], "hash"), (t) => ({
      hash: t.hash,
      name: t.name,
      role: t.role,
      created_at: t.createdAt,
    })),
    deleteToken: exec("DELETE FROM api_tokens WHERE name = ?"),
    auditHead: () => auditHead.get() as { seq: number; hash: string } | undefined,
    appendAudit: put(insertSql("audit_log", AUDIT_COLS), rows.auditToRow),
    auditEntries: (after, limit, target) =>
      target === undefined ? auditAll(after, lim(limit)) : auditOf(target, after, lim(limit)),
  };
}
