// Failed authentications counted per client address (client-key.ts: IPv4, or an IPv6 /64):
// wrong admin tokens, agent credentials and enrolment keys alike. After a burst the address
// gets 429 MSEG_API_RATE_LIMITED with Retry-After on every route that needs authentication,
// before any token is looked up, until the failures drain (authFailuresPerSecond). A success
// clears nothing: an address that holds one valid credential cannot use it to keep guessing,
// and one address's success never touches another's count.
import type { HttpBindings } from "@hono/node-server";
import { ApiError } from "@microseg/protocol";
import type { Context, MiddlewareHandler } from "hono";
import type { ControllerContext } from "../context.js";
import { clientKey } from "../limits/client-key.js";
import type { ControllerEnv } from "./env.js";
import { RateLimited } from "./errors.js";

const FAILED = new Set(["MSEG_API_UNAUTHENTICATED", "MSEG_ENROL_REFUSED"]);

export function limitAuthFailures(ctx: ControllerContext): MiddlewareHandler<ControllerEnv> {
  const failures = ctx.limits.authFailures;
  return async (c, next) => {
    const client = clientKey(remoteAddress(c));
    const wait = failures.waitSeconds(client);
    if (wait > 0) throw new RateLimited(wait, "too many failed authentications from this address");
    await next();
    if (c.error instanceof ApiError && FAILED.has(c.error.code)) failures.take(client, 1);
  };
}

/** The peer's address; undefined in tests that call the app without a socket. */
export function remoteAddress(c: Context): string | undefined {
  return (c.env as Partial<HttpBindings> | undefined)?.incoming?.socket?.remoteAddress;
}
