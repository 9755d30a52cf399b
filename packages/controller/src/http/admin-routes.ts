// Admin routes: workloads, enrolment profiles, agents, audit, status. Thin: parse with the
// protocol's schemas, call a use case, answer JSON. Authentication is the middleware in app.ts.
import {
  AuditQuerySchema,
  AuditVerifyQuerySchema,
  AuditVerifyRequestSchema,
  installCommand,
  PATHS,
  ProfileCreateSchema,
  WorkloadPatchSchema,
  WorkloadPutSchema,
  WorkloadQuerySchema,
} from "@microseg/protocol";
import type { ControllerContext } from "../context.js";
import { getAgent, issueMaintenanceToken, listAgents, revokeAgent } from "../use-cases/agents.js";
import { pageAudit, verifyAudit } from "../use-cases/audit-log.js";
import { createProfile, listProfiles, revokeProfile } from "../use-cases/profiles.js";
import { controllerStatus } from "../use-cases/status.js";
import { pageWorkloads } from "../use-cases/workload-query.js";
import {
  deleteWorkload,
  getWorkload,
  listWorkloads,
  patchWorkload,
  putWorkload,
} from "../use-cases/workloads.js";
import type { ControllerApp } from "./env.js";
import { jsonBody, query } from "./validate.js";

export function adminRoutes(app: ControllerApp, ctx: ControllerContext): void {
  app.get(PATHS.status, async (c) => c.json(await controllerStatus(ctx)));

  app.get(PATHS.workloads, async (c) => {
    const q = query(c, WorkloadQuerySchema);
    return c.json(pageWorkloads(await listWorkloads(ctx), q));
  });
  app.get(PATHS.workload, async (c) => c.json(await getWorkload(ctx, c.req.param("name"))));
  app.put(PATHS.workload, async (c) => {
    const body = await jsonBody(c, WorkloadPutSchema);
    const out = await putWorkload(ctx, c.req.param("name"), body, c.get("actor"));
    return c.json(out, out.change === "created" ? 201 : 200);
  });
  app.patch(PATHS.workload, async (c) => {
    const body = await jsonBody(c, WorkloadPatchSchema);
    return c.json(await patchWorkload(ctx, c.req.param("name"), body, c.get("actor")));
  });
  app.delete(PATHS.workload, async (c) => {
    await deleteWorkload(ctx, c.req.param("name"), c.get("actor"));
    return c.body(null, 204);
  });

  app.get(PATHS.profiles, async (c) => c.json({ profiles: await listProfiles(ctx) }));
  app.post(PATHS.profiles, async (c) => {
    const body = await jsonBody(c, ProfileCreateSchema);
    const created = await createProfile(ctx, body, c.get("actor"));
    return c.json(
      {
        ...created,
        ...oneLiner(new URL(c.req.url).origin, created.key, ctx.settings.caFingerprint),
      },
      201,
    );
  });
  app.post(PATHS.profileRevoke, async (c) =>
    c.json(await revokeProfile(ctx, c.req.param("id"), c.get("actor"))),
  );

  app.get(PATHS.agents, async (c) => c.json({ agents: await listAgents(ctx) }));
  app.get(PATHS.agent, async (c) => c.json(await getAgent(ctx, c.req.param("id"))));
  app.post(PATHS.agentRevoke, async (c) =>
    c.json(await revokeAgent(ctx, c.req.param("id"), c.get("actor"))),
  );
  app.post(PATHS.agentMaintenanceToken, async (c) =>
    c.json(await issueMaintenanceToken(ctx, c.req.param("id"), c.get("actor")), 201),
  );

  app.get(PATHS.audit, async (c) => c.json(await pageAudit(ctx, query(c, AuditQuerySchema))));
  app.get(PATHS.auditVerify, async (c) => {
    const q = query(c, AuditVerifyQuerySchema);
    const anchors =
      q.seq !== undefined && q.hash !== undefined ? [{ seq: q.seq, hash: q.hash }] : [];
    return c.json(await verifyAudit(ctx, anchors));
  });
  app.post(PATHS.auditVerify, async (c) => {
    const body = await jsonBody(c, AuditVerifyRequestSchema);
    return c.json(await verifyAudit(ctx, body.anchors));
  });
}

/**
 * The one-line install for a created key, for this controller as the caller reached it; none when
 * that address does not fit in a shell command (a host name with odd characters).
 */
function oneLiner(origin: string, key: string, caFingerprint: string | null): { install?: string } {
  try {
    return { install: installCommand({ controller: origin, caFingerprint, enrolKey: key }) };
  } catch {
    return {};
  }
}
