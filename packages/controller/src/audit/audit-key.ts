// The audit key file: 32 random bytes as 64 hex digits and a newline, mode 0600, kept apart from
// the database (DATA/audit.key by default; --audit-key FILE puts it on another volume). Only the
// composition root reads it and hands the bytes to the store.
import { randomBytes } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { MicrosegError } from "@microseg/core";
import { AUDIT_KEY_BYTES, type AuditEpoch, keyIdOf, type Store } from "@microseg/store";
import { writeSecretFile } from "../secret-file.js";

export const AUDIT_KEY_FILE = "audit.key";

/** The key in `path`; undefined when there is no such file. Throws MSEG_AUDIT_KEY_INVALID. */
export function readAuditKey(path: string): Uint8Array | undefined {
  let text: string;
  try {
    const mode = statSync(path).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw invalid(
        `${path} is open to group or others (mode 0${mode.toString(8)}): run chmod 600 ${path}`,
      );
    }
    text = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    if (err instanceof MicrosegError) throw err;
    throw invalid(`cannot read the audit key ${path}: ${(err as Error).message}`);
  }
  const hex = text.trim();
  if (!new RegExp(`^[0-9a-f]{${AUDIT_KEY_BYTES * 2}}$`).test(hex)) {
    throw invalid(
      `${path} is not an audit key (${AUDIT_KEY_BYTES * 2} lower-case hex digits): restore the key file from your backup`,
    );
  }
  return Buffer.from(hex, "hex");
}

/** Makes a new key file (0600, never over an existing one) and answers the key. */
export function createAuditKey(path: string): Uint8Array {
  const key = randomBytes(AUDIT_KEY_BYTES);
  writeSecretFile(path, `${key.toString("hex")}\n`, { replace: false });
  return key;
}

/** The refusal when a keyed log's key file is gone. */
export function auditKeyMissing(path: string, epoch: AuditEpoch): MicrosegError {
  return new MicrosegError(
    "MSEG_AUDIT_KEY_MISSING",
    `the audit log is sealed with a key (key id ${epoch.keyId}, since entry ${epoch.seq}) but ${path} does not exist: restore it from your backup or point --audit-key at it; a new key is not made, because the log could then never be verified`,
  );
}

/**
 * Makes sure the log is keyed with the store's key from now on (the `audit.keyed` entry on the
 * first keyed start). Throws MSEG_AUDIT_KEY_INVALID when the log was keyed with another key.
 */
export async function startKeyedAudit(
  store: Store,
  key: Uint8Array,
  path: string,
): Promise<AuditEpoch> {
  const r = await store.audit.startKeyed("controller");
  if (r.ok) return r.epoch;
  if (r.reason === "other-key") {
    throw invalid(
      `${path} (key id ${keyIdOf(key)}) is not the key this audit log was sealed with (the log expects key id ${r.keyId}): restore the right key file or point --audit-key at it`,
    );
  }
  throw new Error("the store was opened without the audit key");
}

function invalid(message: string): MicrosegError {
  return new MicrosegError("MSEG_AUDIT_KEY_INVALID", message);
}
