// Alert, incident and quarantine routes. Thin: parse with the protocol's schemas, call a use case
// in detect/, answer JSON. Authentication is the middleware in app.ts.
import { AlertQuerySchema, PATHS, QuarantineRequestSchema } from "@microseg/protocol";
import type { ControllerContext } from "../context.js";
import { ackAlert, listAlerts, listIncidents } from "../detect/alerts.js";
import { quarantineWorkload, releaseWorkload } from "../detect/quarantine.js";
import type { ControllerApp } from "./env.js";
import { jsonBody, query } from "./validate.js";

export function alertRoutes(app: ControllerApp, ctx: ControllerContext): void {
  app.get(PATHS.alerts, async (c) =>
    c.json({ alerts: await listAlerts(ctx, query(c, AlertQuerySchema)) }),
  );
  app.post(PATHS.alertAck, async (c) =>
    c.json(await ackAlert(ctx, c.req.param("id"), c.get("actor"))),
  );
  app.get(PATHS.incidents, async (c) => c.json({ incidents: await listIncidents(ctx) }));
  app.post(PATHS.quarantine, async (c) => {
    const body = await jsonBody(c, QuarantineRequestSchema);
    return c.json(await quarantineWorkload(ctx, c.req.param("name"), body, c.get("actor")));
  });
  app.delete(PATHS.quarantine, async (c) =>
    c.json(await releaseWorkload(ctx, c.req.param("name"), c.get("actor"))),
  );
}
