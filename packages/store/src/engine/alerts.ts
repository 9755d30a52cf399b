// Alerts raised by detection. A detector re-raising an alert (same id) replaces its evidence and
// summary but never its first time or the status an operator gave it; status changes are audited.

import type { AlertRecord, AlertRepo } from "../flow-records.js";
import { record } from "./audit.js";
import type { Backend, EngineContext, Tables } from "./tables.js";

export function alertRepo(db: Backend, ctx: EngineContext): AlertRepo {
  return {
    async upsert(alert) {
      return db.run((t) => merge(t, alert));
    },
    async upsertMany(alerts) {
      if (alerts.length === 0) return [];
      return db.run((t) => alerts.map((a) => merge(t, a)));
    },
    async get(id) {
      return db.run((t) => t.alert(id));
    },
    async list(filter = {}) {
      return db.run((t) => t.alerts(filter));
    },
    async setStatus(id, status, actor) {
      return db.run((t) => {
        const before = t.alert(id);
        if (before === undefined || before.status === status) return before;
        const after = { ...before, status };
        t.putAlert(after);
        record(t, ctx, {
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

function merge(t: Tables, alert: AlertRecord): AlertRecord {
  const before = t.alert(alert.id);
  const next: AlertRecord =
    before === undefined
      ? alert
      : {
          ...alert,
          at: before.at,
          status: before.status,
          count: Math.max(before.count + 1, alert.count),
        };
  t.putAlert(next);
  return next;
}
