// `microseg controller backup OUT --data DIR`: a consistent copy of a controller's data directory
// while the controller runs (or not). The database goes through SQLite's online backup (store's
// backupDatabase: one commit's view, writers never blocked); every other file of the directory
// (tls/ca.key and the rest of the CA, audit.key, admin.token) is read once and written with its
// own mode; manifest.json (manifest.ts) is written last, atomically. A failure removes what it
// wrote, so OUT never holds half a backup with a manifest.
import {
  closeSync,
  fchmodSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { join, resolve } from "node:path";
import { MicrosegError } from "@microseg/core";
import { VERSION } from "@microseg/core/version";
import { backupDatabase, DB_FILE } from "@microseg/store/sqlite";
import { AUDIT_KEY_FILE } from "../audit/audit-key.js";
import {
  BACKUP_AUDIT_KEY,
  BACKUP_FORMAT,
  MANIFEST_FILE,
  type Manifest,
  type ManifestFile,
  modeText,
  sha256Of,
} from "./manifest.js";

export interface BackupOptions {
  readonly dataDir: string;
  /** A directory that does not exist yet, or an empty one. */
  readonly out: string;
  /** The audit key when it lives outside the data directory (--audit-key). */
  readonly auditKeyFile?: string;
  readonly clock?: () => Date;
}

/** The database's own files (copied through SQLite) and half-written files: never copied. */
const DB_FILES = /^microseg\.db(-wal|-shm|-journal)?$/;
const PARTIAL = /\.tmp-\d+-[0-9a-f]+$|\.partial$/;

export async function backupController(opts: BackupOptions): Promise<Manifest> {
  const dataDir = resolve(opts.dataDir);
  if (!isFile(join(dataDir, DB_FILE))) {
    throw new MicrosegError(
      "MSEG_USAGE",
      `--data ${opts.dataDir} holds no ${DB_FILE}: point --data at the controller's data directory`,
    );
  }
  const created = prepareOut(opts.out);
  try {
    const createdAt = (opts.clock ?? (() => new Date()))().toISOString();
    const db = await backupDatabase(dataDir, join(opts.out, DB_FILE));
    const { files, dirs } = copyFiles(dataDir, opts.out, opts.auditKeyFile);
    const manifest: Manifest = {
      format: BACKUP_FORMAT,
      formatVersion: 1,
      version: VERSION,
      schemaVersion: db.schemaVersion,
      createdAt,
      source: dataDir,
      auditKeyOutside: opts.auditKeyFile !== undefined,
      dirs,
      files: [describe(opts.out, DB_FILE), ...files],
    };
    writeDurably(join(opts.out, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, 0o600);
    return manifest;
  } catch (err) {
    for (const entry of readdirSync(opts.out)) rmSync(join(opts.out, entry), { recursive: true });
    if (created) rmSync(opts.out, { recursive: true, force: true });
    throw err;
  }
}

/** Makes OUT (0700) or accepts an empty one; answers whether it was made here. */
function prepareOut(out: string): boolean {
  try {
    if (readdirSync(out).length > 0) {
      throw new MicrosegError(
        "MSEG_USAGE",
        `backup target ${out} is not empty: give a new directory (e.g. ${out}/$(date +%F)), a backup never overwrites one`,
      );
    }
    return false;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    mkdirSync(out, { recursive: true, mode: 0o700 });
    return true;
  }
}

/** Every regular file under the data directory but the database's, and the outside audit key. */
function copyFiles(dataDir: string, out: string, auditKeyFile?: string) {
  const files: ManifestFile[] = [];
  const dirs: Manifest["dirs"] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dataDir, rel)).sort()) {
      const path = rel === "" ? name : `${rel}/${name}`;
      if ((rel === "" && DB_FILES.test(name)) || PARTIAL.test(name)) continue;
      if (path === AUDIT_KEY_FILE && auditKeyFile !== undefined) continue;
      const st = lstatSync(join(dataDir, path));
      if (st.isDirectory()) {
        mkdirSync(join(out, path), { mode: 0o700 });
        dirs.push({ path, mode: modeText(st.mode) });
        walk(path);
      } else if (st.isFile()) {
        files.push(copyOne(join(dataDir, path), out, path, st.mode));
      } else {
        throw new MicrosegError(
          "MSEG_USAGE",
          `${join(dataDir, path)} is neither a file nor a directory: move it out of the data directory and back up again`,
        );
      }
    }
  };
  walk("");
  if (auditKeyFile !== undefined) {
    files.push(copyOne(auditKeyFile, out, BACKUP_AUDIT_KEY, statSync(auditKeyFile).mode));
  }
  return { files, dirs };
}

/** One read of the source: the bytes written are the bytes hashed. */
function copyOne(source: string, out: string, path: string, mode: number): ManifestFile {
  const data = readFileSync(source);
  writeDurably(join(out, path), data, mode & 0o777);
  return { path, size: data.length, mode: modeText(mode), sha256: sha256Of(data) };
}

function describe(out: string, path: string): ManifestFile {
  const data = readFileSync(join(out, path));
  const mode = statSync(join(out, path)).mode;
  return { path, size: data.length, mode: modeText(mode), sha256: sha256Of(data) };
}

/** Writes a temporary file with `mode` from its first byte, fsyncs it, renames it into place. */
export function writeDurably(path: string, data: string | Buffer, mode: number): void {
  const tmp = `${path}.partial`;
  const fd = openSync(tmp, "w", mode);
  try {
    fchmodSync(fd, mode); // exactly `mode`, whatever the umask
    writeSync(fd, typeof data === "string" ? Buffer.from(data) : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
