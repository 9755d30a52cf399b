// Numbered schema migrations. Rules: never edit a published migration, only append; each runs in
// its own transaction together with its row in schema_migrations, so a crash mid-migration leaves
// the previous version intact and the next open retries it. Opening an already migrated database
// applies nothing (idempotent).

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

const immutable = (table: string, what: string) => `
CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table}
  BEGIN SELECT RAISE(ABORT, '${what} are immutable'); END;
CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table}
  BEGIN SELECT RAISE(ABORT, '${what} are immutable'); END;`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "initial schema",
    sql: `
CREATE TABLE workloads (
  name TEXT PRIMARY KEY,
  labels TEXT NOT NULL,            -- JSON object
  addresses TEXT NOT NULL,         -- JSON array
  mode TEXT NOT NULL CHECK (mode IN ('learn', 'test', 'enforce')),
  managed INTEGER NOT NULL CHECK (managed IN (0, 1)),
  namespace TEXT,
  namespace_labels TEXT,           -- JSON object or NULL
  named_ports TEXT,                -- JSON object or NULL
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE policy_revisions (
  number INTEGER PRIMARY KEY CHECK (number > 0),
  text TEXT NOT NULL,
  parsed TEXT NOT NULL,            -- JSON
  parsed_version INTEGER NOT NULL,
  author TEXT NOT NULL,
  created_at TEXT NOT NULL,
  comment TEXT NOT NULL,
  hash TEXT NOT NULL,
  rolled_back_from INTEGER REFERENCES policy_revisions (number)
) STRICT;
${immutable("policy_revisions", "policy revisions")}

CREATE TABLE policy_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  active_revision INTEGER REFERENCES policy_revisions (number)
) STRICT;
INSERT INTO policy_state (id, active_revision) VALUES (1, NULL);

CREATE TABLE policy_drafts (
  name TEXT PRIMARY KEY,
  text TEXT NOT NULL,
  parsed TEXT NOT NULL,
  parsed_version INTEGER NOT NULL,
  base_revision INTEGER REFERENCES policy_revisions (number),
  updated_at TEXT NOT NULL,
  updated_by TEXT NOT NULL
) STRICT;

CREATE TABLE enrolment_profiles (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  key_hash TEXT NOT NULL UNIQUE,
  labels TEXT NOT NULL,
  mode TEXT NOT NULL CHECK (mode IN ('learn', 'test', 'enforce')),
  expires_at TEXT,
  max_uses INTEGER CHECK (max_uses IS NULL OR max_uses >= 0),
  uses INTEGER NOT NULL DEFAULT 0,
  revoked INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1)),
  created_at TEXT NOT NULL
) STRICT;

CREATE TABLE agents (
  id TEXT PRIMARY KEY,
  workload TEXT NOT NULL REFERENCES workloads (name),
  profile_id TEXT REFERENCES enrolment_profiles (id),
  credential_hash TEXT NOT NULL UNIQUE,
  revoked INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1)),
  hostname TEXT NOT NULL,
  interfaces TEXT NOT NULL,        -- JSON array of {name, addresses}
  enrolled_at TEXT NOT NULL,
  last_heartbeat TEXT,
  applied_revision INTEGER,
  applied_hash TEXT,
  drift TEXT NOT NULL CHECK (drift IN ('unknown', 'in-sync', 'drifted', 'repaired')),
  last_error TEXT
) STRICT;
CREATE INDEX agents_workload ON agents (workload);

CREATE TABLE api_tokens (
  hash TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;

CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY CHECK (seq > 0),
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  before TEXT NOT NULL,            -- JSON
  after TEXT NOT NULL,             -- JSON
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
) STRICT;
CREATE INDEX audit_log_target ON audit_log (target, seq);
${immutable("audit_log", "audit entries")}
`,
  },
  {
    version: 2,
    name: "flow graph, alerts, quarantine",
    sql: `
-- Names on flow edges, each stored once: workload names and addresses (kind 0 workload,
-- 1 address), and the short texts ports and rules are spelled with. Edge rows hold their ids.
CREATE TABLE flow_ends (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  kind INTEGER NOT NULL CHECK (kind IN (0, 1)),
  UNIQUE (name, kind)
) STRICT;
CREATE TABLE flow_terms (
  id INTEGER PRIMARY KEY,
  text TEXT NOT NULL UNIQUE
) STRICT;

-- One row per (bucket, from, to, port, verdict), however many connections. WITHOUT ROWID: the
-- primary key is the row's only copy.
CREATE TABLE flow_edges (
  bucket INTEGER NOT NULL,         -- bucket start, seconds since the epoch
  src INTEGER NOT NULL,            -- flow_ends.id
  dst INTEGER NOT NULL,            -- flow_ends.id
  port INTEGER NOT NULL,           -- flow_terms.id
  verdict INTEGER NOT NULL CHECK (verdict IN (0, 1, 2)),  -- allowed, blocked, would-block
  rule INTEGER,                    -- flow_terms.id of the deciding rule
  count INTEGER NOT NULL,
  packets INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  first INTEGER NOT NULL,          -- ms after the bucket start (negative: began before it)
  last INTEGER NOT NULL,           -- ms after the bucket start
  PRIMARY KEY (bucket, src, dst, port, verdict)
) STRICT, WITHOUT ROWID;
CREATE INDEX flow_edges_src ON flow_edges (src, bucket);
CREATE INDEX flow_edges_dst ON flow_edges (dst, bucket);

CREATE TABLE flow_seqs (
  agent TEXT PRIMARY KEY,
  seq INTEGER NOT NULL
) STRICT;

CREATE TABLE alerts (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  severity TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
  source TEXT NOT NULL,
  targets TEXT NOT NULL,           -- JSON array
  at TEXT NOT NULL,
  last_at TEXT NOT NULL,
  summary TEXT NOT NULL,
  incident TEXT NOT NULL,
  evidence TEXT NOT NULL,          -- JSON
  status TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved')),
  count INTEGER NOT NULL
) STRICT;
CREATE INDEX alerts_last_at ON alerts (last_at);

CREATE TABLE quarantines (
  workload TEXT PRIMARY KEY,
  since TEXT NOT NULL,
  reason TEXT NOT NULL,
  forensic TEXT NOT NULL,          -- JSON array of addresses
  actor TEXT NOT NULL
) STRICT;
`,
  },
  {
    version: 3,
    name: "profiles bound to a workload, address ownership index",
    sql: `
-- The one workload a profile enrols (NULL: the agent names a new one).
ALTER TABLE enrolment_profiles ADD COLUMN workload TEXT;

-- Which workload holds which address, so a write can refuse an address another workload holds
-- without reading every workload. Maintained with workloads (sqlite-tables.ts putWorkload and
-- deleteWorkload); address is the canonical text (canonical_address(), registered by migrate()).
-- Not unique: a database may hold duplicates written before the rule.
CREATE TABLE workload_addresses (
  address TEXT NOT NULL,
  workload TEXT NOT NULL,
  PRIMARY KEY (address, workload)
) STRICT, WITHOUT ROWID;
CREATE INDEX workload_addresses_workload ON workload_addresses (workload);
INSERT OR IGNORE INTO workload_addresses (address, workload)
  SELECT canonical_address(a.value), w.name FROM workloads AS w, json_each(w.addresses) AS a;
`,
  },
  {
    version: 4,
    name: "alert delivery marks",
    sql: `
-- The highest severity of the alert every sender is done with (NULL: none yet); a restarted
-- controller sends what is above the mark and nothing else. Alerts stored before this column
-- existed were handed to the senders when they were raised: they count as delivered.
ALTER TABLE alerts ADD COLUMN delivered TEXT
  CHECK (delivered IS NULL OR delivered IN ('low', 'medium', 'high', 'critical'));
UPDATE alerts SET delivered = severity;
`,
  },
  {
    version: 5,
    name: "connection outcomes on flow edges",
    sql: `
-- Of an edge row's count, the connections the network refused (reset, ICMP error) and those it
-- never answered; the rest were established. Rows written before: allowed and would-block
-- established (what agents then reported), blocked unanswered (the ruleset dropped them).
ALTER TABLE flow_edges ADD COLUMN refused INTEGER NOT NULL DEFAULT 0;
ALTER TABLE flow_edges ADD COLUMN unanswered INTEGER NOT NULL DEFAULT 0;
UPDATE flow_edges SET unanswered = count WHERE verdict = 1;
`,
  },
  {
    version: 6,
    name: "agent maintenance token hashes",
    sql: `
-- sha256 (hex) of the agent's maintenance token (NULL: none issued); the agent learns it with its
-- status answers and checks a token against it offline before a sanctioned stop or unpair.
ALTER TABLE agents ADD COLUMN maintenance_hash TEXT;
`,
  },
  {
    version: 7,
    name: "change stream",
    sql: `
-- One row per record a unit of work changed that controllers hold in memory (engine/changes.ts):
-- replicas sharing a database read the rows after the last seq they applied. seq is the newest
-- + 1, written in the same transaction as the change; old rows are pruned, the newest never.
CREATE TABLE state_changes (
  seq INTEGER PRIMARY KEY CHECK (seq > 0),
  kind TEXT NOT NULL CHECK (kind IN ('workload', 'revision', 'quarantine', 'agent')),
  key TEXT NOT NULL,
  at TEXT NOT NULL
) STRICT;
`,
  },
  {
    version: 8,
    name: "leases and shared secrets",
    sql: `
-- Who runs each singleton job among controller replicas (engine/leases.ts); epoch counts up each
-- time a lease changes hands. Rows are never deleted.
CREATE TABLE leases (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  epoch INTEGER NOT NULL CHECK (epoch > 0),
  expires_at TEXT NOT NULL
) STRICT;

-- Secrets every replica must present alike (the TLS CA), created once by the first replica.
CREATE TABLE shared_secrets (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;
`,
  },
];
