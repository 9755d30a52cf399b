import { canonicalAddress } from "@microseg/core";
import type Database from "better-sqlite3";
import { assertSchemaKnown } from "../shared/schema-newer.js";
import { MIGRATIONS, type Migration } from "./migrations.js";

const BOOKKEEPING = `
CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TEXT NOT NULL
) STRICT`;

/** Brings the database to the newest schema; returns the versions it applied (often none). */
export function migrate(
  db: Database.Database,
  now: Date,
  migrations: readonly Migration[] = MIGRATIONS,
): number[] {
  db.exec(BOOKKEEPING);
  // Migrations may call it (3 indexes the addresses workloads hold by their canonical text).
  db.function("canonical_address", { deterministic: true }, (a) => canonicalAddress(String(a)));
  const current = currentVersion(db);
  const newest = migrations[migrations.length - 1]?.version ?? 0;
  assertSchemaKnown(current, newest);
  const applied: number[] = [];
  const record = db.prepare(
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
  );
  for (const m of migrations) {
    if (m.version <= current) continue;
    // Re-checked under the write lock: another process may have migrated since we looked.
    const ran = db
      .transaction(() => {
        if (currentVersion(db) >= m.version) return false;
        db.exec(m.sql);
        record.run(m.version, m.name, now.toISOString());
        return true;
      })
      .immediate();
    if (ran) applied.push(m.version);
  }
  return applied;
}

export function currentVersion(db: Database.Database): number {
  const row = db.prepare("SELECT max(version) AS v FROM schema_migrations").get() as {
    v: number | null;
  };
  return row.v ?? 0;
}
