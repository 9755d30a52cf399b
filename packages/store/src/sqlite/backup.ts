// The database side of `microseg controller backup` / `restore`: an online copy of
// <dir>/microseg.db while a controller writes it, what a copy holds, and whether a database is open.
//
// The copy is SQLite's online backup API (better-sqlite3 `db.backup`) run as ONE step over every
// page: the step holds one read transaction, so the copy is the database as of one commit, and
// in WAL mode the controller's writers are never blocked by it (a multi-step backup would
// restart whenever another process commits between steps, and might never finish on a busy
// controller). The copy is then switched to journal_mode DELETE — one self-contained file, no
// -wal beside it — and checked with PRAGMA integrity_check before anyone relies on it.
import { closeSync, openSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { currentVersion } from "./migrate.js";
import { DB_FILE } from "./open.js";

export interface DatabaseFacts {
  /** The newest migration applied (0: none, or not a microseg database). */
  readonly schemaVersion: number;
  /** Every migration applied, in order. */
  readonly migrations: readonly number[];
  /** PRAGMA integrity_check's answer: ["ok"] when the file is sound. */
  readonly integrity: readonly string[];
}

/**
 * Copies `<dir>/microseg.db` to `dest` (created 0600; must not exist) as of one commit, while
 * other processes may keep writing, and returns what the copy holds. Throws when the copy does
 * not pass integrity_check.
 */
export async function backupDatabase(
  dir: string,
  dest: string,
  opts: { readonly busyTimeoutMs?: number } = {},
): Promise<DatabaseFacts> {
  closeSync(openSync(dest, "wx", 0o600)); // 0600 from its first byte; SQLite writes into it
  const db = new Database(join(dir, DB_FILE), { fileMustExist: true });
  try {
    db.pragma(`busy_timeout = ${Math.trunc(opts.busyTimeoutMs ?? 5000)}`);
    // After the first (sizing) step, the rest in one step: one read transaction, one commit's view.
    await db.backup(dest, { progress: () => 0x7fffffff });
  } finally {
    db.close();
  }
  const copy = new Database(dest, { fileMustExist: true });
  try {
    copy.pragma("journal_mode = DELETE");
  } finally {
    copy.close();
  }
  const facts = inspectDatabase(dest);
  if (facts.integrity.join() !== "ok") {
    throw new Error(`the copy ${dest} fails integrity_check: ${facts.integrity.join("; ")}`);
  }
  return facts;
}

/** Schema version, migrations and integrity of a database file, opened read-only. */
export function inspectDatabase(file: string): DatabaseFacts {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const hasBookkeeping = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
      .get();
    const migrations =
      hasBookkeeping === undefined
        ? []
        : (db.prepare("SELECT version FROM schema_migrations ORDER BY version").all() as Array<{
            version: number;
          }>);
    const integrity = db.pragma("integrity_check") as Array<{ integrity_check: string }>;
    return {
      schemaVersion: hasBookkeeping === undefined ? 0 : currentVersion(db),
      migrations: migrations.map((m) => m.version),
      integrity: integrity.map((r) => r.integrity_check),
    };
  } finally {
    db.close();
  }
}

/**
 * Whether another connection (a running controller, `reset-admin-token`, in this process or
 * another) has `<dir>/microseg.db` open. A connection in WAL mode holds a shared lock on the
 * file for as long as it is open; this asks for an exclusive one without waiting. False when
 * there is no database.
 */
export function databaseInUse(dir: string): boolean {
  let db: Database.Database;
  try {
    db = new Database(join(dir, DB_FILE), { fileMustExist: true });
  } catch {
    return false;
  }
  try {
    db.pragma("busy_timeout = 0");
    db.pragma("locking_mode = EXCLUSIVE");
    db.exec("BEGIN EXCLUSIVE");
    db.exec("COMMIT");
    return false;
  } catch (err) {
    if ((err as { code?: string }).code?.startsWith("SQLITE_BUSY")) return true;
    throw err;
  } finally {
    db.close();
  }
}
