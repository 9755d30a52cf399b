// Alerts raised by detection. A detector re-raising an alert (same id) replaces its evidence and
// summary but never its first time, the status an operator gave it or its delivery mark; status
// changes are audited.

import type { AlertRecord, AlertRepo, AlertSeverity } from "../flow-records.js";
import { record } from "./audit.js";
import type { Backend, EngineContext, Tables } from "./tables.js";

export function alertRepo(db: Backend, ctx: EngineContext): AlertRepo {
  return {
    async upsert(alert) {
      return db.run((t) => merge(t, alert));
    },
    async upsertMany(alerts) {
      if (alerts.length === 0) return [];
      return db.run(async (t) => {
        const out: AlertRecord[] = [];
        for (const a of alerts) out.push(await merge(t, a));
        return out;
      });
    },
    async get(id) {
      return db.run(async (t) => t.alert(id), "read");
    },
    async list(filter = {}) {
      return db.run(async (t) => t.alerts(filter), "read");
    },
    async markDelivered(id, severity) {
      return db.run(async (t) => {
        await mark(t, id, severity);
        return await t.alert(id);
      });
    },
    async markDeliveredMany(marks) {
      if (marks.length === 0) return;
      await db.run(async (t) => {
        for (const m of marks) await mark(t, m.id, m.severity);
      });
    },
    async setStatus(id, status, actor) {
      return db.run(async (t) => {
        const before = await t.alert(id);
        if (before === undefined || before.status === status) return before;
        const after = { ...before, status };
        await t.putAlert(after);
        await record(t, ctx, {
          actor,
          action: "alert.status",
          target: `alert/${id}`,
          before: { status: before.status },
          after: { status },
        });
        return after;
      });
    },
  };
}

/** Reads back only what a re-raise keeps (no lists, no evidence): this runs per raised alert. */
async function merge(t: Tables, alert: AlertRecord): Promise<AlertRecord> {
  const before = await t.alertState(alert.id);
  if (before === undefined) {
    await t.putAlert(alert);
    return alert;
  }
  const { delivered: _given, ...rest } = alert;
  const next: AlertRecord = {
    ...rest,
    at: before.at,
    status: before.status,
    count: Math.max(before.count + 1, alert.count),
    ...(before.delivered !== undefined && { delivered: before.delivered }),
  };
  await t.putAlert(next);
  return next;
}

async function mark(t: Tables, id: string, severity: AlertSeverity): Promise<void> {
  const before = await t.alertState(id);
  if (before === undefined) return;
  if (before.delivered !== undefined && rank(before.delivered) >= rank(severity)) return;
  await t.setAlertDelivered(id, severity);
}

const SEVERITIES: readonly AlertSeverity[] = ["low", "medium", "high", "critical"];
const rank = (s: AlertSeverity) => SEVERITIES.indexOf(s);
