// Decisions every adapter makes the same way, kept here so adapters only differ in storage.

import { createHash } from "node:crypto";
import type { KeyRefusal } from "../port.js";
import type { AgentRecord, ApiToken, EnrolmentProfile, Json } from "../records.js";

export function textHash(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * Why a key may not be used now, or undefined when it may. Expiry is inclusive: at == expired.
 * An expiry that is not a time (stored before the API checked it) counts as past: fail closed.
 */
export function keyRefusal(p: EnrolmentProfile, now: Date): KeyRefusal | undefined {
  if (p.revoked) return "revoked";
  if (p.expiresAt !== null && !(Date.parse(p.expiresAt) > now.getTime())) return "expired";
  if (p.maxUses !== null && p.uses >= p.maxUses) return "exhausted";
  return undefined;
}

// Audit snapshots leave out hashes of secrets: the log is for people, and it is exported.

export function profileSnapshot(p: EnrolmentProfile | undefined): Json {
  if (p === undefined) return null;
  const { keyHash: _, ...rest } = p;
  return rest as unknown as Json;
}

export function agentSnapshot(a: AgentRecord | undefined): Json {
  if (a === undefined) return null;
  // Neither hash is audited: the chain is exported (anchors, syslog), the hashes are secrets' kin.
  const { credentialHash: _, maintenanceHash: __, ...rest } = a;
  return rest as unknown as Json;
}

export function tokenSnapshot(t: ApiToken | undefined): Json {
  if (t === undefined) return null;
  const { hash: _, ...rest } = t;
  return rest as unknown as Json;
}
