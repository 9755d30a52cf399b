// Alerts and quarantines in SQLite: plain rows, JSON columns for lists and evidence.

import type Database from "better-sqlite3";
import type { Tables } from "../engine/tables.js";
import type {
  AlertFilter,
  AlertRecord,
  AlertSeverity,
  AlertStatus,
  Quarantine,
} from "../flow-records.js";
import type { Json } from "../records.js";
import { statements } from "./statements.js";

type AlertTables = Pick<
  Tables,
  | "alert"
  | "alertState"
  | "alerts"
  | "putAlert"
  | "setAlertDelivered"
  | "quarantine"
  | "quarantines"
  | "putQuarantine"
  | "deleteQuarantine"
>;
type Row = Record<string, unknown>;

export const ALERT =
  "id kind severity source targets at last_at summary incident evidence status count delivered";
export const QUARANTINE = "workload since reason forensic actor";

export function alertFromRow(r: Row): AlertRecord {
  return {
    id: r.id as string,
    kind: r.kind as string,
    severity: r.severity as AlertSeverity,
    source: r.source as string,
    targets: JSON.parse(r.targets as string) as string[],
    at: r.at as string,
    lastAt: r.last_at as string,
    summary: r.summary as string,
    incident: r.incident as string,
    evidence: JSON.parse(r.evidence as string) as Json,
    status: r.status as AlertStatus,
    count: r.count as number,
    ...(r.delivered !== null && { delivered: r.delivered as AlertSeverity }),
  };
}

export function alertToRow(a: AlertRecord): Row {
  return {
    id: a.id,
    kind: a.kind,
    severity: a.severity,
    source: a.source,
    targets: JSON.stringify(a.targets),
    at: a.at,
    last_at: a.lastAt,
    summary: a.summary,
    incident: a.incident,
    evidence: JSON.stringify(a.evidence),
    status: a.status,
    count: a.count,
    delivered: a.delivered ?? null,
  };
}

export function quarantineFromRow(r: Row): Quarantine {
  return {
    workload: r.workload as string,
    since: r.since as string,
    reason: r.reason as string,
    forensic: JSON.parse(r.forensic as string) as string[],
    actor: r.actor as string,
  };
}

export const quarantineToRow = (q: Quarantine): Row => ({
  ...q,
  forensic: JSON.stringify(q.forensic),
});

function alertWhere(f: AlertFilter): { sql: string; params: Row } {
  const clauses: string[] = [];
  const params: Row = {};
  for (const [key, column] of [
    ["kind", "kind"],
    ["status", "status"],
    ["source", "source"],
  ] as const) {
    if (f[key] === undefined) continue;
    clauses.push(`${column} = @${key}`);
    params[key] = f[key];
  }
  if (f.since !== undefined) {
    clauses.push("last_at >= @since");
    params.since = f.since;
  }
  params.limit = f.limit ?? -1;
  const where = clauses.length === 0 ? "" : `WHERE ${clauses.join(" AND ")}`;
  return { sql: `SELECT * FROM alerts ${where} ORDER BY last_at DESC, id LIMIT @limit`, params };
}

export function sqliteAlertTables(db: Database.Database): AlertTables {
  const { one, many, put, exec } = statements(db);
  const queries = new Map<string, Database.Statement>();
  return {
    alert: one("SELECT * FROM alerts WHERE id = ?", alertFromRow),
    alertState: one("SELECT at, status, count, delivered FROM alerts WHERE id = ?", (r) => ({
      at: r.at as string,
      status: r.status as AlertStatus,
      count: r.count as number,
      ...(r.delivered !== null && { delivered: r.delivered as AlertSeverity }),
    })),
    alerts(filter) {
      const { sql, params } = alertWhere(filter);
      let st = queries.get(sql);
      if (st === undefined) {
        st = db.prepare(sql);
        queries.set(sql, st);
      }
      return (st.all(params) as Row[]).map(alertFromRow);
    },
    putAlert: put("alerts", ALERT.split(" "), "id", alertToRow),
    setAlertDelivered: (() => {
      const set = exec("UPDATE alerts SET delivered = ? WHERE id = ?");
      return (id: string, severity: AlertSeverity) => void set(severity, id);
    })(),
    quarantine: one("SELECT * FROM quarantines WHERE workload = ?", quarantineFromRow),
    quarantines: many("SELECT * FROM quarantines ORDER BY workload", quarantineFromRow),
    putQuarantine: put("quarantines", QUARANTINE.split(" "), "workload", quarantineToRow),
    deleteQuarantine: (
      (del) => (workload: string) =>
        void del(workload)
    )(exec("DELETE FROM quarantines WHERE workload = ?")),
  };
}
