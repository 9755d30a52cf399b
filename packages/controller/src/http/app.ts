// The HTTP app: Hono, no sockets (main.ts serves it; tests call app.request()).
//
//   /api/ca.pem, /api/openapi.json        public
//   /api/version                          public (the release; clients and installers ask first)
//   /api/v1/enrol, /api/v1/agent/*        agent channel (enrolment key / agent credential)
//   /api/v1/*  (everything else)          admin token (Authorization: Bearer)
//   /healthz, /readyz                     public; /metrics admin token unless --metrics-public
//                                         (ops-routes.ts)
//   /install.sh, /packages/NAME           public: the agent installer and packages (install-routes.ts)
//   /, /assets/*, client routes           the console's built files (console.ts), public
import { VERSION } from "@microseg/core/version";
import { ApiError, PATHS, type VersionInfo } from "@microseg/protocol";
import type { Context } from "hono";
import { Hono } from "hono";
import { matchedRoutes } from "hono/route";
import type { ControllerContext } from "../context.js";
import { bearer } from "../secrets.js";
import { actorOf, authenticateToken } from "../use-cases/tokens.js";
import { adminRoutes } from "./admin-routes.js";
import { agentRoutes } from "./agent-routes.js";
import { alertRoutes } from "./alert-routes.js";
import { limitAuthFailures } from "./auth-failures.js";
import { limitBody } from "./body-limit.js";
import { consoleRoutes, strictTransport } from "./console.js";
import type { ControllerApp, ControllerEnv } from "./env.js";
import { errorResponse } from "./errors.js";
import { flowRoutes } from "./flow-routes.js";
import { insightRoutes } from "./insight-routes.js";
import { installRoutes } from "./install-routes.js";
import { openApiDocument } from "./openapi.js";
import { opsRoutes } from "./ops-routes.js";
import { policyRoutes } from "./policy-routes.js";

export function createApp(ctx: ControllerContext): ControllerApp {
  const app = new Hono<ControllerEnv>();
  app.onError((err, c) => errorResponse(err, c, ctx.log, ctx.limits.log));
  app.notFound((c) => {
    const err = new ApiError("MSEG_API_NOT_FOUND", `no route ${c.req.method} ${c.req.path}`);
    return c.json(err.body(), err.status);
  });

  // First: every answer is counted, the 401s, 413s and 429s of the middleware below too.
  app.use(async (c, next) => {
    const t0 = performance.now();
    await next();
    const elapsed = performance.now() - t0;
    const status = c.res.status;
    ctx.metrics.request(c.req.method, routeOf(c, status), status, elapsed / 1000);
    const ms = Math.round(elapsed * 10) / 10;
    ctx.log.debug({ method: c.req.method, path: c.req.path, status, ms }, "request");
  });
  app.use(strictTransport(ctx.settings.caPem !== null));
  // Per route (route-table.ts maxBody), from Content-Length before the body is read.
  app.use("/api/*", limitBody());

  app.get(PATHS.caPem, (c) => {
    const pem = ctx.settings.caPem;
    if (pem === null) throw new ApiError("MSEG_API_NOT_FOUND", "this controller serves plain HTTP");
    return c.body(pem, 200, { "content-type": "application/x-pem-file" });
  });
  const doc = openApiDocument();
  app.get(PATHS.openapi, (c) => c.json(doc));
  const version: VersionInfo = { version: VERSION, api: "v1" };
  app.get(PATHS.version, (c) => c.json(version));

  // Before any token is looked up: an address that failed too often costs nothing more.
  app.use("/api/v1/*", limitAuthFailures(ctx));
  app.use("/api/v1/*", async (c, next) => {
    if (c.req.path === PATHS.enrol || c.req.path.startsWith("/api/v1/agent/")) return next();
    const token = await authenticateToken(ctx, bearer(c.req.header("authorization")));
    c.set("actor", actorOf(token));
    await next();
  });
  agentRoutes(app, ctx);
  adminRoutes(app, ctx);
  policyRoutes(app, ctx);
  flowRoutes(app, ctx);
  alertRoutes(app, ctx);
  insightRoutes(app, ctx);
  opsRoutes(app, ctx);
  // Last: the console answers only what no API route did, and never under /api.
  installRoutes(app, ctx.settings.packagesDir);
  consoleRoutes(app, ctx.settings.consoleDir);
  return app;
}

/**
 * The route pattern a request matched (`/api/v1/workloads/:name`), for metrics: the first
 * matching route that is not middleware (`app.use` registers method ALL). The console's
 * catch-all is `console`; what no route answered is `none`. Never the raw path: that would make
 * a label value per workload name, or per path a scanner tries.
 */
function routeOf(c: Context, status: number): string {
  const route = matchedRoutes(c).find((r) => r.method !== "ALL")?.path;
  if (route === undefined || (route === "/*" && status === 404)) return "none";
  return route === "/*" ? "console" : route;
}
