// Tables over one pg client inside one transaction (PostgresBackend.run opens and ends it). Every
// method is one or two statements; flows, alerts and quarantines are in flow-tables.ts.
import type { Tables } from "../engine/tables.js";
import { KEYED_ACTION, KEYED_TARGET } from "../shared/audit-chain.js";
import * as lr from "../shared/lease-rows.js";
import { changeFromRow } from "../sqlite/change-tables.js";
import * as rows from "../sqlite/rows.js";
import { pgFlowTables } from "./flow-tables.js";
import { cols, insertSql, num, type Row, type Sql, upsertSql, valuesOf } from "./sql.js";

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
/** LIMIT NULL is no limit. */
const lim = (n: number) => (n >= MAX ? null : n);

export function pgTables(sql: Sql): Tables {
  const one =
    <T>(text: string, map: (r: Row) => T) =>
    async (...args: unknown[]) => {
      const r = (await sql.rows(text, args))[0];
      return r === undefined ? undefined : map(r);
    };
  const many =
    <T>(text: string, map: (r: Row) => T) =>
    async (...args: unknown[]) =>
      (await sql.rows(text, args)).map(map);
  const put = <T>(table: string, columns: readonly string[], key: string, toRow: (v: T) => Row) => {
    const text = upsertSql(table, columns, key);
    return async (v: T) => void (await sql.exec(text, valuesOf(toRow(v), columns)));
  };
  const exec =
    (text: string) =>
    async (...args: unknown[]) =>
      void (await sql.exec(text, args));
  const W = rows.workloadFromRow;
  const P = rows.profileFromRow;
  const A = rows.agentFromRow;
  const T = rows.tokenFromRow;
  const SEL_AUDIT = "SELECT * FROM audit_log WHERE";
  return {
    workload: one("SELECT * FROM workloads WHERE name = $1", W),
    workloads: many("SELECT * FROM workloads ORDER BY name", W),
    putWorkload: async (w) => {
      const old = (await sql.rows("SELECT addresses FROM workloads WHERE name = $1", [w.name]))[0];
      const addresses = JSON.stringify(w.addresses);
      await put("workloads", WORKLOAD, "name", rows.workloadToRow)(w);
      if (old?.addresses === addresses) return;
      if (old !== undefined)
        await sql.exec("DELETE FROM workload_addresses WHERE workload = $1", [w.name]);
      if (w.addresses.length === 0) return;
      await sql.exec(
        `INSERT INTO workload_addresses (address, workload)
         SELECT a, $2 FROM unnest($1::text[]) AS a ON CONFLICT DO NOTHING`,
        [w.addresses, w.name],
      );
    },
    deleteWorkload: async (name) => {
      await sql.exec("DELETE FROM workloads WHERE name = $1", [name]);
      await sql.exec("DELETE FROM workload_addresses WHERE workload = $1", [name]);
    },
    workloadsAt: async (address) =>
      (
        await sql.rows(
          "SELECT workload FROM workload_addresses WHERE address = $1 ORDER BY workload",
          [address],
        )
      ).map((r) => String(r.workload)),

    draft: one("SELECT * FROM policy_drafts WHERE name = $1", rows.draftFromRow),
    drafts: many("SELECT * FROM policy_drafts ORDER BY name", rows.draftFromRow),
    putDraft: put("policy_drafts", DRAFT, "name", rows.draftToRow),
    deleteDraft: async (name) =>
      (await sql.exec("DELETE FROM policy_drafts WHERE name = $1", [name])) > 0,

    revision: one("SELECT * FROM policy_revisions WHERE number = $1", rows.revisionFromRow),
    revisions: (limit, before = MAX) =>
      many(
        "SELECT * FROM policy_revisions WHERE number < $1::bigint ORDER BY number DESC LIMIT $2",
        rows.revisionFromRow,
      )(before, lim(limit)),
    lastRevisionNumber: async () =>
      num((await sql.rows("SELECT coalesce(max(number), 0) AS n FROM policy_revisions"))[0]?.n),
    insertRevision: async (r) =>
      void (await sql.exec(
        `INSERT INTO policy_revisions (${REVISION.join(", ")}) VALUES (${REVISION.map((_, i) => `$${i + 1}`).join(", ")})`,
        valuesOf(rows.revisionToRow(r), REVISION),
      )),
    activeRevision: async () => {
      const v = (await sql.rows("SELECT active_revision FROM policy_state WHERE id = 1"))[0]
        ?.active_revision;
      return v === null || v === undefined ? null : num(v);
    },
    setActiveRevision: exec("UPDATE policy_state SET active_revision = $1 WHERE id = 1"),

    profile: one("SELECT * FROM enrolment_profiles WHERE id = $1", P),
    profileByKey: one("SELECT * FROM enrolment_profiles WHERE key_hash = $1", P),
    profileByName: one("SELECT * FROM enrolment_profiles WHERE name = $1", P),
    profiles: many("SELECT * FROM enrolment_profiles ORDER BY id", P),
    putProfile: put("enrolment_profiles", PROFILE, "id", rows.profileToRow),

    agent: one("SELECT * FROM agents WHERE id = $1", A),
    agentByCredential: one("SELECT * FROM agents WHERE credential_hash = $1", A),
    agentsOf: many("SELECT * FROM agents WHERE workload = $1 ORDER BY id", A),
    agents: many("SELECT * FROM agents ORDER BY id", A),
    putAgent: put("agents", AGENT, "id", rows.agentToRow),
    deleteAgent: exec("DELETE FROM agents WHERE id = $1"),

    token: one("SELECT * FROM api_tokens WHERE hash = $1", T),
    tokenByName: one("SELECT * FROM api_tokens WHERE name = $1", T),
    tokens: many("SELECT * FROM api_tokens ORDER BY name", T),
    putToken: put("api_tokens", TOKEN, "hash", rows.tokenToRow),
    deleteToken: exec("DELETE FROM api_tokens WHERE name = $1"),

    auditHead: one("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", (r) => ({
      seq: num(r.seq),
      hash: String(r.hash),
    })),
    appendAudit: async (e) =>
      void (await sql.exec(
        `INSERT INTO audit_log (${AUDIT.join(", ")}) VALUES (${AUDIT.map((_, i) => `$${i + 1}`).join(", ")})`,
        valuesOf(rows.auditToRow(e), AUDIT),
      )),
    auditEntries: (after, limit, target) =>
      target === undefined
        ? many(`${SEL_AUDIT} seq > $1 ORDER BY seq LIMIT $2`, rows.auditFromRow)(after, lim(limit))
        : many(`${SEL_AUDIT} target = $1 AND seq > $2 ORDER BY seq LIMIT $3`, rows.auditFromRow)(
            target,
            after,
            lim(limit),
          ),
    auditKeyed: one(
      `${SEL_AUDIT} target = '${KEYED_TARGET}' AND action = '${KEYED_ACTION}' ORDER BY seq LIMIT 1`,
      rows.auditFromRow,
    ),
    auditSuccessor: one(
      "SELECT seq FROM audit_log WHERE prev_hash = $1 AND seq <> $2 LIMIT 1",
      (r) => num(r.seq),
    ),
    ...pgFlowTables(sql),

    // The caller holds the write advisory lock: max + 1 is taken by one unit at a time.
    appendChange: async (c) =>
      num(
        (
          await sql.rows(
            `INSERT INTO state_changes (seq, kind, key, at)
             SELECT coalesce(max(seq), 0) + 1, $1, $2, $3 FROM state_changes RETURNING seq`,
            [c.kind, c.key, c.at],
          )
        )[0]?.seq,
      ),
    changesAfter: many(
      "SELECT * FROM state_changes WHERE seq > $1 ORDER BY seq LIMIT $2",
      changeFromRow,
    ),
    lastChangeSeq: async () =>
      num((await sql.rows("SELECT coalesce(max(seq), 0) AS n FROM state_changes"))[0]?.n),
    firstChangeSeq: async () =>
      num((await sql.rows("SELECT coalesce(min(seq), 0) AS n FROM state_changes"))[0]?.n),
    pruneChanges: exec(
      "DELETE FROM state_changes WHERE seq <= $1 AND seq < (SELECT max(seq) FROM state_changes)",
    ),
    lease: one("SELECT * FROM leases WHERE name = $1", lr.leaseFromRow),
    leases: many("SELECT * FROM leases ORDER BY name", lr.leaseFromRow),
    putLease: put("leases", lr.LEASE_COLUMNS, "name", lr.leaseToRow),
    sharedSecret: one("SELECT * FROM shared_secrets WHERE name = $1", lr.secretFromRow),
    insertSharedSecret: async (v) =>
      void (await sql.exec(
        insertSql("shared_secrets", lr.SECRET_COLUMNS),
        valuesOf(lr.secretToRow(v), lr.SECRET_COLUMNS),
      )),
  };
}
