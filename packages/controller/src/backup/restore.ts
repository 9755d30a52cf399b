// `microseg controller restore IN --data DIR`: puts a backup (backup.ts) back.
//
//   1. verify IN: manifest.json parses, every file has its size and SHA-256 (MSEG_BACKUP_INVALID
//      names the first that does not), its schema is one this microseg can open
//   2. DIR: refused while a controller has its database open (MSEG_DATA_DIR_IN_USE, also with
//      --force); refused when it holds a database or any file the backup would write
//      (MSEG_DATA_DIR_NOT_EMPTY) unless --force, which removes the database with its -wal/-shm
//      (a stale WAL replayed over the restored file would corrupt it) and those files
//   3. write: directories 0700, each file through a temporary name with the mode the manifest
//      records (never group/other-writable; keys and tokens stay 0600), fsynced, renamed; the
//      database last, so a half-finished restore leaves no database a controller would start on
//
// A controller started on DIR while the restore runs is not prevented; stop the service first.
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { MicrosegError } from "@microseg/core";
import { SCHEMA_VERSION } from "@microseg/store";
import { DB_FILE, databaseInUse } from "@microseg/store/sqlite";
import { syncDir } from "../secret-file.js";
import { writeDurably } from "./backup.js";
import { BACKUP_AUDIT_KEY, type Manifest, verifiedManifest } from "./manifest.js";

export interface RestoreOptions {
  /** The backup directory. */
  readonly from: string;
  readonly dataDir: string;
  /** Where the audit key goes when it is kept outside the data directory (--audit-key). */
  readonly auditKeyFile?: string;
  /** Replace the data a non-empty DIR holds (never while a controller uses it). */
  readonly force?: boolean;
}

export interface RestoreResult {
  readonly manifest: Manifest;
  /** Where each file of the backup was written. */
  readonly written: readonly string[];
}

const DB_COMPANIONS = ["-wal", "-shm", "-journal"].map((s) => `${DB_FILE}${s}`);

export function restoreController(opts: RestoreOptions): RestoreResult {
  const manifest = verifiedManifest(opts.from);
  if (manifest.schemaVersion > SCHEMA_VERSION) {
    throw new MicrosegError(
      "MSEG_STORE_SCHEMA_NEWER",
      `backup ${opts.from} was made by microseg ${manifest.version} (schema ${manifest.schemaVersion}); this microseg knows schema ${SCHEMA_VERSION}: restore it with microseg ${manifest.version} or newer`,
    );
  }
  const targets = manifest.files.map((f) => ({ ...f, to: targetOf(f.path, opts) }));
  checkTarget(
    opts,
    targets.map((t) => t.to),
  );
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  for (const d of manifest.dirs)
    mkdirSync(join(opts.dataDir, d.path), { recursive: true, mode: 0o700 });
  if (opts.force === true) {
    for (const f of [DB_FILE, ...DB_COMPANIONS]) rmSync(join(opts.dataDir, f), { force: true });
  }
  // The database last: until it is in place, DIR is no controller's data directory.
  const ordered = [...targets].sort(
    (a, b) => Number(a.path === DB_FILE) - Number(b.path === DB_FILE),
  );
  for (const t of ordered) {
    mkdirSync(dirname(t.to), { recursive: true, mode: 0o700 });
    writeDurably(t.to, readFileSync(join(opts.from, t.path)), safeMode(t.mode));
  }
  syncDir(opts.dataDir);
  return { manifest, written: ordered.map((t) => t.to) };
}

function targetOf(path: string, opts: RestoreOptions): string {
  if (path === BACKUP_AUDIT_KEY && opts.auditKeyFile !== undefined) return opts.auditKeyFile;
  return join(opts.dataDir, path);
}

function checkTarget(opts: RestoreOptions, targets: readonly string[]): void {
  if (databaseInUse(opts.dataDir)) {
    throw new MicrosegError(
      "MSEG_DATA_DIR_IN_USE",
      `a controller has ${join(opts.dataDir, DB_FILE)} open: stop it (systemctl stop microseg, or SIGTERM) and restore again; nothing was written`,
    );
  }
  if (opts.force === true) return;
  const taken = [join(opts.dataDir, DB_FILE), ...targets].filter((p) => existsSync(p));
  if (taken.length > 0) {
    throw new MicrosegError(
      "MSEG_DATA_DIR_NOT_EMPTY",
      `${taken[0]} exists: restore into an empty directory, or add --force to replace the data in ${opts.dataDir}; nothing was written`,
    );
  }
}

/** The recorded mode without group/other write and special bits; the audit key stays 0600. */
function safeMode(mode: string): number {
  return Number.parseInt(mode, 8) & 0o755;
}
