// API tokens: the admin token made at first start (or reset by the local administrator), and
// bearer authentication for admin routes. Tokens are stored hashed; the admin token's clear text
// is handed to `persist` (main.ts writes DATA/admin.token, 0600) BEFORE its hash is committed: a
// failed write leaves nothing committed, so the next start tries again instead of locking the
// administrator out.
import { ApiError } from "@microseg/protocol";
import type { ApiToken } from "@microseg/store";
import type { ControllerContext } from "../context.js";
import { hashSecret, newSecret } from "../secrets.js";

export const ADMIN_TOKEN_NAME = "admin";

/** Keeps the clear text somewhere the administrator finds it; throwing stops the commit. */
export type PersistToken = (token: string) => void | Promise<void>;

/** Creates the admin token when none exists; returns its clear text then, else undefined. */
export async function ensureAdminToken(
  ctx: Pick<ControllerContext, "store">,
  persist: PersistToken = () => undefined,
): Promise<string | undefined> {
  const tokens = await ctx.store.tokens.list();
  if (tokens.some((t) => t.name === ADMIN_TOKEN_NAME)) return undefined;
  const token = newSecret("token");
  await persist(token);
  const result = await ctx.store.tokens.create(
    { hash: hashSecret(token), name: ADMIN_TOKEN_NAME, role: "admin" },
    "controller",
  );
  if (!result.ok) return undefined;
  return token;
}

/**
 * A new admin token in place of the old one (which stops working in the same transaction),
 * audited as `token.replace` by `actor`. Returns its clear text.
 */
export async function resetAdminToken(
  ctx: Pick<ControllerContext, "store">,
  persist: PersistToken,
  actor: string,
): Promise<string> {
  const token = newSecret("token");
  await persist(token);
  const result = await ctx.store.tokens.replace(
    { hash: hashSecret(token), name: ADMIN_TOKEN_NAME, role: "admin" },
    actor,
  );
  // 256 random bits colliding with a stored hash: not a case to recover from.
  if (!result.ok) throw new Error("the new admin token's hash is already taken");
  return token;
}

export async function authenticateToken(
  ctx: ControllerContext,
  secret: string | undefined,
): Promise<ApiToken> {
  const token = secret === undefined ? undefined : await ctx.store.tokens.find(hashSecret(secret));
  if (token === undefined) {
    throw new ApiError(
      "MSEG_API_UNAUTHENTICATED",
      "send Authorization: Bearer <token> (the admin token is in DATA/admin.token)",
    );
  }
  if (token.role !== "admin")
    throw new ApiError("MSEG_API_FORBIDDEN", "this token may not do that");
  return token;
}

export function actorOf(token: ApiToken): string {
  return `token/${token.name}`;
}
