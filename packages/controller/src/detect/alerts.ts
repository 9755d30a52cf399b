// Alert use cases: list with filters, acknowledge (audited by the store), incidents.
import { type AlertQuery, type AlertWire, ApiError, type IncidentWire } from "@microseg/protocol";
import type { ControllerContext } from "../context.js";
import { toIncidents, toWire } from "./records.js";

const DEFAULT_LIMIT = 1000;
const INCIDENT_SCAN = 5000;

export async function listAlerts(ctx: ControllerContext, q: AlertQuery): Promise<AlertWire[]> {
  const list = await ctx.store.alerts.list({
    ...(q.kind !== undefined && { kind: q.kind }),
    ...(q.status !== undefined && { status: q.status }),
    ...(q.source !== undefined && { source: q.source }),
    ...(q.since !== undefined && { since: q.since }),
    limit: q.limit ?? DEFAULT_LIMIT,
  });
  return list.map(toWire);
}

export async function ackAlert(ctx: ControllerContext, id: string, actor: string) {
  const a = await ctx.store.alerts.setStatus(id, "acknowledged", actor);
  if (a === undefined) {
    throw new ApiError("MSEG_API_NOT_FOUND", `no alert "${id}" (GET /api/v1/alerts lists them)`);
  }
  return { alert: toWire(a) };
}

export async function listIncidents(ctx: ControllerContext): Promise<IncidentWire[]> {
  return toIncidents(await ctx.store.alerts.list({ limit: INCIDENT_SCAN }));
}
