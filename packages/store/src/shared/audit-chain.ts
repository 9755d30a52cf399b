// The audit chain, shared by every adapter so all of them seal and verify identically.
//
//   body(n)     = canonicalJson({seq, at, actor, action, target, before, after})
//   keyed:        hash(n) = HMAC-SHA256(key, prevHash(n) + "\n" + body(n))
//   unkeyed:      hash(n) = SHA-256(prevHash(n) + "\n" + body(n))
//   prevHash(1) = GENESIS; prevHash(n) = hash(n-1)
//
// A chain is unkeyed up to its first keyed entry and keyed from there on (never back): databases
// from before the key, and stores opened without one, write unkeyed entries; the controller
// writes an `audit.keyed` entry when it first has a key, and every entry after it is keyed. The
// first keyed entry's MAC covers the last unkeyed hash, so the unkeyed part cannot be rewritten
// either. Without the key nobody can append, insert, edit or re-hash an entry of the keyed part;
// only cutting entries off the end stays invisible to the chain alone, which is what anchors
// (a {seq, hash} exported elsewhere) are for.

import { createHash, createHmac } from "node:crypto";
import type { AuditAnchor, AuditInput } from "../port.js";
import type { AuditEntry } from "../records.js";
import { canonicalJson, toJson } from "./canonical-json.js";

export const GENESIS = "0".repeat(64);
/** The entry that starts the keyed part of a chain begun without a key (target KEYED_TARGET). */
export const KEYED_ACTION = "audit.keyed";
export const KEYED_TARGET = "audit/key";
/** Key length in bytes. */
export const AUDIT_KEY_BYTES = 32;
/** verify() reads this many entries at a time. */
export const AUDIT_PAGE = 1000;

type Head = AuditAnchor | undefined;
type Unsealed = Omit<AuditEntry, "hash">;

/** The entry's hash: an HMAC with `key`, or plain SHA-256 without one (the unkeyed chain). */
export function entryHash(e: Unsealed, key?: Uint8Array): string {
  const { seq, at, actor, action, target, before, after } = e;
  const text = `${e.prevHash}\n${canonicalJson({ seq, at, actor, action, target, before, after })}`;
  const h = key === undefined ? createHash("sha256") : createHmac("sha256", key);
  return h.update(text).digest("hex");
}

/** Names a key without revealing it: the first 16 hex digits of HMAC(key, a fixed label). */
export function keyIdOf(key: Uint8Array): string {
  return createHmac("sha256", key).update("microseg audit key id").digest("hex").slice(0, 16);
}

/** The next entry after `head` (undefined: the chain is empty), keyed when `key` is given. */
export function sealEntry(head: Head, input: AuditInput, at: Date, key?: Uint8Array): AuditEntry {
  const unsealed: Unsealed = {
    seq: (head?.seq ?? 0) + 1,
    at: at.toISOString(),
    actor: input.actor,
    action: input.action,
    target: input.target,
    before: toJson(input.before ?? null),
    after: toJson(input.after ?? null),
    prevHash: head?.hash ?? GENESIS,
  };
  return { ...unsealed, hash: entryHash(unsealed, key) };
}
