// The embedded SQLite adapter: one file, <dir>/microseg.db, opened with WAL (readers never block
// the writer), foreign keys on and a busy timeout, migrated at open. Every Store method is one
// BEGIN IMMEDIATE transaction (the write lock is taken up front, so two processes never deadlock
// upgrading a read lock), committed before the method's promise settles.

import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { createStore } from "../engine/create-store.js";
import type { Backend, EngineContext } from "../engine/tables.js";
import type { Store } from "../port.js";
import { SerialQueue } from "../shared/serial.js";
import { FlowNames } from "./flow-names.js";
import { currentVersion, migrate } from "./migrate.js";
import { sqliteTables } from "./sqlite-tables.js";

export interface SqliteStoreOptions {
  /** Directory for the data; created (0700) when missing. */
  readonly dir: string;
  readonly clock?: () => Date;
  /** Milliseconds a writer waits for another process's lock before failing (default 5000). */
  readonly busyTimeoutMs?: number;
  /**
   * SQLite's `synchronous` in WAL mode. `full` (default): every commit is fsync'd before the
   * method's promise settles, so an acknowledged write survives a power cut. `normal`: commits
   * reach the disk at the next checkpoint; a power cut can lose the last acknowledged commits
   * (each whole, never half), a process crash loses nothing. See docs/design/store.md.
   */
  readonly synchronous?: SqliteSync;
  /** Test hook: called at named steps inside a unit of work; throwing aborts the unit. */
  readonly failpoint?: (step: string) => void;
  /** Seals audit entries (HMAC-SHA256); the key lives outside the database (audit-chain.ts). */
  readonly auditKey?: Uint8Array;
}

export const DB_FILE = "microseg.db";

export type SqliteSync = "full" | "normal";
export const SQLITE_SYNC_MODES: readonly SqliteSync[] = ["full", "normal"];

export function openSqliteStore(options: SqliteStoreOptions): Store {
  const ctx: EngineContext = {
    clock: options.clock ?? (() => new Date()),
    ...(options.failpoint && { failpoint: options.failpoint }),
    ...(options.auditKey && { auditKey: options.auditKey }),
  };
  return createStore(sqliteBackend(options, ctx.clock()), ctx);
}

/** Exported for tests that reach under the port (tampering, crash checks). */
export function sqliteBackend(
  options: SqliteStoreOptions,
  now: Date,
): Backend & { db: Database.Database } {
  const db = openDatabase(options);
  try {
    migrate(db, now);
  } catch (err) {
    db.close();
    throw err;
  }
  const names = new FlowNames(db);
  const tables = sqliteTables(db, names);
  let version = currentVersion(db);
  // better-sqlite3 runs statements synchronously and has one transaction per connection; a unit
  // of work is async (Backend.run), so units queue in the process and each is one
  // BEGIN IMMEDIATE … COMMIT with nothing of another unit in between.
  const queue = new SerialQueue();
  const begin = db.prepare("BEGIN IMMEDIATE");
  const commit = db.prepare("COMMIT");
  const rollback = db.prepare("ROLLBACK");
  return {
    name: "sqlite",
    db,
    run(fn) {
      return queue.run(async () => {
        begin.run();
        try {
          const out = await fn(tables);
          commit.run();
          return out;
        } catch (err) {
          if (db.inTransaction) rollback.run();
          names.forget(); // ids it learnt in the rolled-back unit may not exist
          throw err;
        }
      });
    },
    schemaVersion: () => version,
    close() {
      version = 0;
      db.close();
    },
  };
}

function openDatabase(options: SqliteStoreOptions): Database.Database {
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  const path = join(options.dir, DB_FILE);
  // Create the file ourselves so it is 0600 from its first byte (SQLite gives -wal/-shm the same
  // mode as the database file).
  if (!existsSync(path)) closeSync(openSync(path, "a", 0o600));
  chmodSync(path, 0o600);
  const db = new Database(path);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("foreign_keys = ON");
    db.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
    // FULL: a commit is on the disk before the store answers ("durable when answered").
    db.pragma(`synchronous = ${options.synchronous === "normal" ? "NORMAL" : "FULL"}`);
    // 64 MiB of page cache (default 2 MiB): flow edge upserts land all over their indexes.
    db.pragma("cache_size = -65536");
    // Checkpoint every ~40 MiB of WAL (default ~4 MiB): a hot index page rewritten by many
    // commits is copied back once, not once per small checkpoint (flow ingest: +15-25%). The WAL
    // file is cut back to 64 MiB after a checkpoint, so it never stays larger than that.
    db.pragma("wal_autocheckpoint = 10000");
    db.pragma("journal_size_limit = 67108864");
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}
