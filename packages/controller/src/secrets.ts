// Secrets (enrolment keys, agent credentials, API tokens, maintenance tokens) are 32 random bytes, base64url, with a
// short prefix that says what they are when one turns up in a log or a shell history. Only their
// sha256 (hex) is ever stored.
import { createHash, randomBytes } from "node:crypto";

export type SecretKind = "token" | "enrol" | "agent" | "maintenance";

const PREFIX: Record<SecretKind, string> = {
  token: "mst_",
  enrol: "mse_",
  agent: "msa_",
  maintenance: "msm_",
};

export function newSecret(kind: SecretKind): string {
  return PREFIX[kind] + randomBytes(32).toString("base64url");
}

export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** A short random id (agents, profiles): 12 bytes, base64url. */
export function newId(prefix: string): string {
  return `${prefix}-${randomBytes(9).toString("base64url")}`;
}

/** The secret of an `Authorization: Bearer <secret>` header, if any. */
export function bearer(header: string | undefined | null): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return m?.[1];
}
