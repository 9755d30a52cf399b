// Agent channel (see @microseg/protocol agent.ts for the wire contract): enrol, long-poll for
// the agent's own policy, status. Authenticated by the agent credential, never by admin tokens.
// Each agent has quotas (limits/defaults.ts): policy requests and status reports per second,
// answered 429 with Retry-After beyond them, and one held long-poll (a newer one replaces it).
import {
  EnrolRequestSchema,
  PATHS,
  PolicyQuerySchema,
  StatusRequestSchema,
} from "@microseg/protocol";
import type { ControllerContext } from "../context.js";
import type { TokenBuckets } from "../limits/token-buckets.js";
import { bearer } from "../secrets.js";
import { authenticateAgent, pollPolicy, reportStatus } from "../use-cases/agent-channel.js";
import { enrolAgent } from "../use-cases/enrol.js";
import type { ControllerApp } from "./env.js";
import { RateLimited } from "./errors.js";
import { jsonBody, query } from "./validate.js";

export function agentRoutes(app: ControllerApp, ctx: ControllerContext): void {
  app.post(PATHS.enrol, async (c) => {
    const body = await jsonBody(c, EnrolRequestSchema);
    return c.json(await enrolAgent(ctx, body), 201);
  });

  app.use("/api/v1/agent/*", async (c, next) => {
    c.set("agent", await authenticateAgent(ctx, bearer(c.req.header("authorization"))));
    await next();
  });

  app.get(PATHS.agentPolicy, async (c) => {
    const agent = c.get("agent");
    spend(ctx.limits.polls, agent.id, 1, "policy requests above this agent's quota");
    const q = query(c, PolicyQuerySchema);
    // The request's signal aborts when the agent hangs up: its waiter goes at once.
    const signal = c.req.raw.signal;
    const answer = await pollPolicy(ctx, agent, q.known, q.wait, signal, q.mgmt);
    if (answer === undefined) return c.body(null, 204);
    return c.json(answer, 200, { "cache-control": "no-store" });
  });

  app.post(PATHS.agentStatus, async (c) => {
    const agent = c.get("agent");
    // Before the body is read: a report over the quota costs nothing more.
    spend(ctx.limits.status, agent.id, 1, "status reports above this agent's quota");
    const body = await jsonBody(c, StatusRequestSchema);
    return c.json(await reportStatus(ctx, agent, body));
  });
}

/** Takes `cost` from the agent's bucket, or refuses with 429 and Retry-After. */
function spend(buckets: TokenBuckets, agentId: string, cost: number, what: string): void {
  const wait = buckets.waitSeconds(agentId);
  if (wait > 0) throw new RateLimited(wait, what);
  buckets.take(agentId, cost);
}
