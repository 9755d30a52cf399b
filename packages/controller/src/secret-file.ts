// Secret files under the data directory (admin.token, audit.key): written whole or not at all.
// The text goes to a temporary file in the same directory (0600 from its first byte, O_EXCL),
// is fsynced, then moved into place and the directory fsynced, so a crash or a full disk never
// leaves a half-written secret, and a reader sees the old file or the new one.
import { randomBytes } from "node:crypto";
import {
  closeSync,
  existsSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";
import { MicrosegError } from "@microseg/core";

/**
 * Writes `text` to `path` atomically, mode 0600. `replace: false` refuses to overwrite (the file
 * appears by link(), which fails when the name exists). Throws MSEG_SECRET_FILE_UNWRITABLE.
 */
export function writeSecretFile(path: string, text: string, opts: { replace: boolean }): void {
  const dir = dirname(path);
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const fd = openSync(tmp, "wx", 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (opts.replace) renameSync(tmp, path);
    else placeNew(tmp, path);
    syncDir(dir);
  } catch (err) {
    throw new MicrosegError(
      "MSEG_SECRET_FILE_UNWRITABLE",
      `cannot write ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)}): make ${dir} writable and remove whatever stands at that path; nothing was changed`,
      { cause: err },
    );
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** Moves `tmp` to `path` unless `path` exists: link() is atomic about that where it exists. */
function placeNew(tmp: string, path: string): void {
  try {
    linkSync(tmp, path);
  } catch (err) {
    // File systems without hard links (vfat, some network mounts): check, then rename.
    const code = (err as NodeJS.ErrnoException).code ?? "";
    if (!["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS"].includes(code)) throw err;
    if (existsSync(path)) throw Object.assign(new Error(`${path} exists`), { code: "EEXIST" });
    renameSync(tmp, path);
  }
}

/** Makes a rename or link durable: the directory entry itself is fsynced. */
export function syncDir(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
