// Operations routes, outside /api where probes and scrapers look for them, on the controller's
// own listener (so the connection caps and timeouts of the front door hold for them too):
//
//   GET /healthz   200 {"status":"ok"} while the process serves HTTP; touches nothing else
//   GET /readyz    200 {"status":"ready"} when the store answers and is migrated, a replica
//                  follows the shared store's change stream, and the controller is not
//                  stopping; else 503 MSEG_CONTROLLER_NOT_READY (the reason)
//   GET /metrics   Prometheus text (metrics.ts); the admin token, like /api/v1, unless the
//                  controller runs with --metrics-public (a scraper on a trusted network)
//
// None of them needs a token but /metrics; a wrong token on /metrics counts as a failed
// authentication (auth-failures.ts) exactly as on /api/v1.
import { ApiError, PATHS } from "@microseg/protocol";
import type { MiddlewareHandler } from "hono";
import type { ControllerContext } from "../context.js";
import { bearer } from "../secrets.js";
import { authenticateToken } from "../use-cases/tokens.js";
import { limitAuthFailures } from "./auth-failures.js";
import type { ControllerApp, ControllerEnv } from "./env.js";

/** How long /readyz waits for the store before it calls it unready. */
export const READY_TIMEOUT_MS = 2000;

const NO_STORE = { "cache-control": "no-store" };

export function opsRoutes(app: ControllerApp, ctx: ControllerContext): void {
  app.get(PATHS.healthz, (c) => c.json({ status: "ok" }, 200, NO_STORE));

  app.get(PATHS.readyz, async (c) => {
    const problem = await unready(ctx);
    if (problem !== undefined) throw new ApiError("MSEG_CONTROLLER_NOT_READY", problem);
    return c.json({ status: "ready" }, 200, NO_STORE);
  });

  if (!ctx.settings.metricsPublic) {
    app.use(PATHS.metrics, limitAuthFailures(ctx));
    app.use(PATHS.metrics, adminOnly(ctx));
  }
  app.get(PATHS.metrics, async (c) =>
    c.body(await ctx.metrics.text(), 200, {
      "content-type": ctx.metrics.contentType,
      ...NO_STORE,
    }),
  );
}

function adminOnly(ctx: ControllerContext): MiddlewareHandler<ControllerEnv> {
  return async (c, next) => {
    await authenticateToken(ctx, bearer(c.req.header("authorization")));
    await next();
  };
}

/** Why the controller cannot serve now, or undefined when it can. */
export async function unready(ctx: ControllerContext): Promise<string | undefined> {
  if (ctx.hub.isClosed) return "the controller is shutting down";
  const stale = ctx.following?.problem();
  if (stale !== undefined) return stale;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), READY_TIMEOUT_MS);
  });
  try {
    const info = await Promise.race([ctx.store.info(), late]);
    if (info === "late") return `the store did not answer within ${READY_TIMEOUT_MS} ms`;
    if (info.schemaVersion <= 0) return `the ${info.adapter} store reports no migrated schema`;
    return undefined;
  } catch (err) {
    // The store's own words go to the log only: /readyz answers anyone who asks.
    if (ctx.limits.log.admit(`readyz\u0000${String(err)}`).log) {
      ctx.log.warn({ err }, "not ready: the store failed a trivial query");
    }
    return "the store fails a trivial query (the controller's log has its error)";
  } finally {
    clearTimeout(timer);
  }
}
