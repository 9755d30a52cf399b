// API tokens: the admin token made at first start, and bearer authentication for admin routes.
// Tokens are stored hashed; the admin token's clear text is written once to DATA/admin.token
// (0600) and returned to the caller to print.
import { ApiError } from "@microseg/protocol";
import type { ApiToken } from "@microseg/store";
import type { ControllerContext } from "../context.js";
import { hashSecret, newSecret } from "../secrets.js";

export const ADMIN_TOKEN_NAME = "admin";

/** Creates the admin token when none exists; returns its clear text then, else undefined. */
export async function ensureAdminToken(
  ctx: Pick<ControllerContext, "store">,
): Promise<string | undefined> {
  const tokens = await ctx.store.tokens.list();
  if (tokens.some((t) => t.name === ADMIN_TOKEN_NAME)) return undefined;
  const token = newSecret("token");
  const result = await ctx.store.tokens.create(
    { hash: hashSecret(token), name: ADMIN_TOKEN_NAME, role: "admin" },
    "controller",
  );
  if (!result.ok) return undefined;
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
