// The PostgreSQL schema, as numbered migrations like SQLite's (sqlite/migrations.ts): never edit a
// published one, only append. Version 6 is the whole of SQLite's schema 6 at once (the adapter
// started there), so SCHEMA_VERSION means the same on both. Differences from SQLite:
// - text columns are COLLATE "C": ORDER BY answers byte order, as SQLite and the memory adapter
//   do, whatever locale the database was created with;
// - JSON stays text: records round-trip byte for byte (the audit chain hashes what was written);
// - times stay ISO-8601 text, as the engine writes and compares them;
// - flow edges hold their names (no dictionary tables) and absolute ms, in a table partitioned by
//   bucket start, one partition per UTC day, created by the unit that first writes into it
//   (flow-tables.ts); pruning drops whole days.

export interface PgMigration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

const T = 'TEXT COLLATE "C"';

const immutable = (table: string, what: string) => `
CREATE FUNCTION ${table}_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN RAISE EXCEPTION '${what} are immutable'; END $$;
CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table}
  FOR EACH ROW EXECUTE FUNCTION ${table}_immutable();
CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table}
  FOR EACH ROW EXECUTE FUNCTION ${table}_immutable();`;

const MODE = "CHECK (mode IN ('learn', 'test', 'enforce'))";
const SEVERITY = "('low', 'medium', 'high', 'critical')";

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 6,
    name: "schema 6 (SQLite migrations 1-6), flow edges partitioned by day",
    sql: `
CREATE TABLE workloads (
  name ${T} PRIMARY KEY,
  labels ${T} NOT NULL,
  addresses ${T} NOT NULL,
  mode ${T} NOT NULL ${MODE},
  managed INTEGER NOT NULL CHECK (managed IN (0, 1)),
  namespace ${T},
  namespace_labels ${T},
  named_ports ${T},
  created_at ${T} NOT NULL,
  updated_at ${T} NOT NULL
);
CREATE TABLE workload_addresses (
  address ${T} NOT NULL,
  workload ${T} NOT NULL,
  PRIMARY KEY (address, workload)
);
CREATE INDEX workload_addresses_workload ON workload_addresses (workload);

CREATE TABLE policy_revisions (
  number INTEGER PRIMARY KEY CHECK (number > 0),
  text ${T} NOT NULL,
  parsed ${T} NOT NULL,
  parsed_version INTEGER NOT NULL,
  author ${T} NOT NULL,
  created_at ${T} NOT NULL,
  comment ${T} NOT NULL,
  hash ${T} NOT NULL,
  rolled_back_from INTEGER REFERENCES policy_revisions (number)
);
${immutable("policy_revisions", "policy revisions")}

CREATE TABLE policy_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  active_revision INTEGER REFERENCES policy_revisions (number)
);
INSERT INTO policy_state (id, active_revision) VALUES (1, NULL);

CREATE TABLE policy_drafts (
  name ${T} PRIMARY KEY,
  text ${T} NOT NULL,
  parsed ${T} NOT NULL,
  parsed_version INTEGER NOT NULL,
  base_revision INTEGER REFERENCES policy_revisions (number),
  updated_at ${T} NOT NULL,
  updated_by ${T} NOT NULL
);

CREATE TABLE enrolment_profiles (
  id ${T} PRIMARY KEY,
  name ${T} NOT NULL UNIQUE,
  key_hash ${T} NOT NULL UNIQUE,
  labels ${T} NOT NULL,
  mode ${T} NOT NULL ${MODE},
  expires_at ${T},
  max_uses INTEGER CHECK (max_uses IS NULL OR max_uses >= 0),
  workload ${T},
  uses INTEGER NOT NULL DEFAULT 0,
  revoked INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1)),
  created_at ${T} NOT NULL
);

CREATE TABLE agents (
  id ${T} PRIMARY KEY,
  workload ${T} NOT NULL REFERENCES workloads (name),
  profile_id ${T} REFERENCES enrolment_profiles (id),
  credential_hash ${T} NOT NULL UNIQUE,
  revoked INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1)),
  hostname ${T} NOT NULL,
  interfaces ${T} NOT NULL,
  enrolled_at ${T} NOT NULL,
  last_heartbeat ${T},
  applied_revision INTEGER,
  applied_hash ${T},
  drift ${T} NOT NULL CHECK (drift IN ('unknown', 'in-sync', 'drifted', 'repaired')),
  last_error ${T},
  maintenance_hash ${T}
);
CREATE INDEX agents_workload ON agents (workload);

CREATE TABLE api_tokens (
  hash ${T} PRIMARY KEY,
  name ${T} NOT NULL UNIQUE,
  role ${T} NOT NULL,
  created_at ${T} NOT NULL
);

CREATE TABLE audit_log (
  seq BIGINT PRIMARY KEY CHECK (seq > 0),
  at ${T} NOT NULL,
  actor ${T} NOT NULL,
  action ${T} NOT NULL,
  target ${T} NOT NULL,
  before ${T} NOT NULL,
  after ${T} NOT NULL,
  prev_hash ${T} NOT NULL,
  hash ${T} NOT NULL
);
CREATE INDEX audit_log_target ON audit_log (target, seq);
${immutable("audit_log", "audit entries")}

-- One row per (bucket, from, to, port, verdict); bucket, first and last are ms since the epoch.
CREATE TABLE flow_edges (
  bucket BIGINT NOT NULL,
  src ${T} NOT NULL,
  src_kind ${T} NOT NULL CHECK (src_kind IN ('workload', 'address')),
  dst ${T} NOT NULL,
  dst_kind ${T} NOT NULL CHECK (dst_kind IN ('workload', 'address')),
  port ${T} NOT NULL,
  verdict ${T} NOT NULL CHECK (verdict IN ('allowed', 'blocked', 'would-block')),
  rule ${T},
  count BIGINT NOT NULL,
  packets BIGINT NOT NULL,
  bytes BIGINT NOT NULL,
  refused BIGINT NOT NULL DEFAULT 0,
  unanswered BIGINT NOT NULL DEFAULT 0,
  first BIGINT NOT NULL,
  last BIGINT NOT NULL,
  PRIMARY KEY (bucket, src, src_kind, dst, dst_kind, port, verdict)
) PARTITION BY RANGE (bucket);
CREATE INDEX flow_edges_src ON flow_edges (src, bucket);
CREATE INDEX flow_edges_dst ON flow_edges (dst, bucket);

CREATE TABLE flow_seqs (
  agent ${T} PRIMARY KEY,
  seq BIGINT NOT NULL
);

CREATE TABLE alerts (
  id ${T} PRIMARY KEY,
  kind ${T} NOT NULL,
  severity ${T} NOT NULL CHECK (severity IN ${SEVERITY}),
  source ${T} NOT NULL,
  targets ${T} NOT NULL,
  at ${T} NOT NULL,
  last_at ${T} NOT NULL,
  summary ${T} NOT NULL,
  incident ${T} NOT NULL,
  evidence ${T} NOT NULL,
  status ${T} NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved')),
  count INTEGER NOT NULL,
  delivered ${T} CHECK (delivered IS NULL OR delivered IN ${SEVERITY})
);
CREATE INDEX alerts_last_at ON alerts (last_at);

CREATE TABLE quarantines (
  workload ${T} PRIMARY KEY,
  since ${T} NOT NULL,
  reason ${T} NOT NULL,
  forensic ${T} NOT NULL,
  actor ${T} NOT NULL
);
`,
  },
  {
    version: 7,
    name: "change stream",
    sql: `
-- As SQLite's migration 7 (engine/changes.ts). seq is the newest + 1, taken under the write
-- advisory lock every writing unit holds, so seq order is commit order.
CREATE TABLE state_changes (
  seq BIGINT PRIMARY KEY CHECK (seq > 0),
  kind ${T} NOT NULL CHECK (kind IN ('workload', 'revision', 'quarantine', 'agent')),
  key ${T} NOT NULL,
  at ${T} NOT NULL
);
`,
  },
  {
    version: 8,
    name: "leases and shared secrets",
    sql: `
-- As SQLite's migration 8 (engine/leases.ts).
CREATE TABLE leases (
  name ${T} PRIMARY KEY,
  holder ${T} NOT NULL,
  epoch BIGINT NOT NULL CHECK (epoch > 0),
  expires_at ${T} NOT NULL
);

CREATE TABLE shared_secrets (
  name ${T} PRIMARY KEY,
  value ${T} NOT NULL,
  created_at ${T} NOT NULL
);
`,
  },
];
