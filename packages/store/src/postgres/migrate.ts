// Migrations on PostgreSQL: the same bookkeeping as SQLite (schema_migrations), applied under a
// session advisory lock so that replicas starting together migrate once: the second waits for
// the lock, then finds the versions applied. Each migration is one transaction with its row.

import type pg from "pg";
import { assertSchemaKnown } from "../shared/schema-newer.js";
import { PG_MIGRATIONS, type PgMigration } from "./schema.js";

/** Advisory lock keys (two int4s: "mseg", purpose); locks.ts explains the write lock. */
export const LOCK_SPACE = 0x6d736567;
export const MIGRATE_LOCK = 2;

const BOOKKEEPING = `
CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TEXT NOT NULL
)`;

/** Brings the database to the newest schema; answers the versions it applied (often none). */
export async function migrate(
  client: pg.ClientBase,
  now: Date,
  migrations: readonly PgMigration[] = PG_MIGRATIONS,
): Promise<number[]> {
  await client.query("SELECT pg_advisory_lock($1, $2)", [LOCK_SPACE, MIGRATE_LOCK]);
  try {
    await client.query(BOOKKEEPING);
    const current = await currentVersion(client);
    const newest = migrations[migrations.length - 1]?.version ?? 0;
    assertSchemaKnown(current, newest);
    const applied: number[] = [];
    for (const m of migrations) {
      if (m.version <= current) continue;
      await client.query("BEGIN");
      try {
        await client.query(m.sql);
        await client.query(
          "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
          [m.version, m.name, now.toISOString()],
        );
        await client.query("COMMIT");
      } catch (err) {
        await client.query("ROLLBACK");
        throw err;
      }
      applied.push(m.version);
    }
    return applied;
  } finally {
    await client.query("SELECT pg_advisory_unlock($1, $2)", [LOCK_SPACE, MIGRATE_LOCK]);
  }
}

export async function currentVersion(client: pg.ClientBase): Promise<number> {
  const r = await client.query<{ v: number | null }>(
    "SELECT max(version) AS v FROM schema_migrations",
  );
  return r.rows[0]?.v ?? 0;
}
