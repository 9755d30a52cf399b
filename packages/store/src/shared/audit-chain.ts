// The audit hash chain, shared by every adapter so all of them seal and verify identically.
//   hash(n) = sha256( prevHash(n) + "\n" + canonicalJson({seq, at, actor, action, target, before, after}) )
//   prevHash(1) = GENESIS; prevHash(n) = hash(n-1)
// Any edit changes the entry's own hash; a deleted entry leaves a seq gap (or, if later entries
// were renumbered, hashes that no longer match); a reordered entry links to the wrong predecessor.

import { createHash } from "node:crypto";
import type { AuditInput, AuditVerdict } from "../port.js";
import type { AuditEntry } from "../records.js";
import { canonicalJson, toJson } from "./canonical-json.js";

export const GENESIS = "0".repeat(64);

type Head = { readonly seq: number; readonly hash: string } | undefined;

export function entryHash(e: Omit<AuditEntry, "hash">): string {
  const { seq, at, actor, action, target, before, after } = e;
  const body = canonicalJson({ seq, at, actor, action, target, before, after });
  return createHash("sha256").update(`${e.prevHash}\n${body}`).digest("hex");
}

/** The next entry after `head` (undefined: the chain is empty). */
export function sealEntry(head: Head, input: AuditInput, at: Date): AuditEntry {
  const unsealed = {
    seq: (head?.seq ?? 0) + 1,
    at: at.toISOString(),
    actor: input.actor,
    action: input.action,
    target: input.target,
    before: toJson(input.before ?? null),
    after: toJson(input.after ?? null),
    prevHash: head?.hash ?? GENESIS,
  };
  return { ...unsealed, hash: entryHash(unsealed) };
}

/** Verifies entries given in storage order (ascending seq). */
export function verifyChain(
  entries: readonly AuditEntry[],
  expectedHead?: { seq: number; hash: string },
): AuditVerdict {
  let prevHash = GENESIS;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as AuditEntry;
    const expectedSeq = i + 1;
    if (e.seq !== expectedSeq) {
      return broken(expectedSeq, "missing", `entry ${expectedSeq} is missing (next is ${e.seq})`);
    }
    const selfOk = entryHash(e) === e.hash;
    if (selfOk && e.prevHash === prevHash) {
      prevHash = e.hash;
      continue;
    }
    const successorElsewhere = entries.some((o, j) => j !== i && o.prevHash === prevHash);
    if (successorElsewhere && e.prevHash !== prevHash) {
      return broken(e.seq, "reordered", `entry ${e.seq} is out of place in the chain`);
    }
    if (!selfOk) return broken(e.seq, "edited", `entry ${e.seq} was changed after it was written`);
    return broken(e.seq, "missing", `an entry before ${e.seq} is missing`);
  }
  return checkHead(entries, expectedHead);
}

function checkHead(entries: readonly AuditEntry[], expected: Head): AuditVerdict {
  const last = entries[entries.length - 1];
  if (expected !== undefined) {
    const at = entries[expected.seq - 1];
    if (at === undefined) {
      return broken(expected.seq, "truncated", `entries from ${expected.seq} on are missing`);
    }
    if (at.hash !== expected.hash) {
      return broken(expected.seq, "edited", `entry ${expected.seq} differs from the recorded head`);
    }
  }
  const head = last === undefined ? null : { seq: last.seq, hash: last.hash };
  return { ok: true, count: entries.length, head };
}

function broken(
  seq: number,
  problem: "missing" | "edited" | "reordered" | "truncated",
  message: string,
): AuditVerdict {
  return { ok: false, seq, problem, message };
}
