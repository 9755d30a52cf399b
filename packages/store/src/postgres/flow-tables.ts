// Flow edges, flow seqs, alerts and quarantines on PostgreSQL.
//
// flow_edges is partitioned by bucket start, one partition per UTC day (flow_edges_dYYYYMMDD).
// A write creates the partitions its deltas need in its own transaction (under the store's write
// lock, so two replicas never race to create one; rolled back with it); prune drops every partition that ends at or
// before `before` and deletes rows only in the one partition that straddles it. A batch is
// merged in JavaScript first (a statement's ON CONFLICT may not touch a row twice), then written
// with one INSERT … SELECT FROM unnest(…) ON CONFLICT DO UPDATE.
import type { Tables } from "../engine/tables.js";
import {
  type AlertFilter,
  type AlertSeverity,
  type AlertStatus,
  type EdgeDelta,
  type EdgeFilter,
  MAX_EDGE_COUNTER,
  type StoredEdge,
} from "../flow-records.js";
import { newestFirst } from "../shared/edge-order.js";
import { deltaOutcome, outcomeOf, outcomesOf } from "../shared/edge-outcome.js";
import {
  ALERT,
  alertFromRow,
  alertToRow,
  QUARANTINE,
  quarantineFromRow,
  quarantineToRow,
} from "../sqlite/alert-tables.js";
import { cols, num, type Row, type Sql, upsertSql, valuesOf } from "./sql.js";

export const DAY_MS = 24 * 3600_000;

export const partitionName = (day: number) =>
  `flow_edges_d${new Date(day).toISOString().slice(0, 10).replaceAll("-", "")}`;

const dayOf = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;

type FlowTables = Pick<
  Tables,
  | "flowSeqs"
  | "setFlowSeqs"
  | "mergeEdges"
  | "edges"
  | "pruneEdges"
  | "edgeStats"
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

interface Merged {
  bucket: number;
  src: string;
  srcKind: string;
  dst: string;
  dstKind: string;
  port: string;
  verdict: string;
  rule: string | null;
  count: number;
  packets: number;
  bytes: number;
  refused: number;
  unanswered: number;
  first: number;
  last: number;
}

const cap = (n: number) => Math.min(n, MAX_EDGE_COUNTER);

/** The deltas merged per row key, with the same rules as the upsert (a later rule wins). */
function mergeDeltas(deltas: readonly EdgeDelta[]): Merged[] {
  const byKey = new Map<string, Merged>();
  for (const d of deltas) {
    if (d.bucket % 1000 !== 0) throw new Error(`edge bucket ${d.bucket} is not whole seconds`);
    const key = [d.bucket, d.from, d.fromKind, d.to, d.toKind, d.port, d.verdict].join("\u0000");
    const outcome = deltaOutcome(d);
    const refused = outcome === "refused" ? d.count : 0;
    const unanswered = outcome === "unanswered" ? d.count : 0;
    const m = byKey.get(key);
    if (m === undefined) {
      byKey.set(key, {
        bucket: d.bucket,
        src: d.from,
        srcKind: d.fromKind,
        dst: d.to,
        dstKind: d.toKind,
        port: d.port,
        verdict: d.verdict,
        rule: d.rule,
        count: cap(d.count),
        packets: cap(d.packets),
        bytes: cap(d.bytes),
        refused: cap(refused),
        unanswered: cap(unanswered),
        first: d.first,
        last: d.last,
      });
      continue;
    }
    m.rule = d.rule ?? m.rule;
    m.count = cap(m.count + d.count);
    m.packets = cap(m.packets + d.packets);
    m.bytes = cap(m.bytes + d.bytes);
    m.refused = cap(m.refused + refused);
    m.unanswered = cap(m.unanswered + unanswered);
    m.first = Math.min(m.first, d.first);
    m.last = Math.max(m.last, d.last);
  }
  return [...byKey.values()];
}

const EDGE_COLUMNS: readonly [keyof Merged, string, string][] = [
  ["bucket", "bucket", "bigint"],
  ["src", "src", "text"],
  ["srcKind", "src_kind", "text"],
  ["dst", "dst", "text"],
  ["dstKind", "dst_kind", "text"],
  ["port", "port", "text"],
  ["verdict", "verdict", "text"],
  ["rule", "rule", "text"],
  ["count", "count", "bigint"],
  ["packets", "packets", "bigint"],
  ["bytes", "bytes", "bigint"],
  ["refused", "refused", "bigint"],
  ["unanswered", "unanswered", "bigint"],
  ["first", "first", "bigint"],
  ["last", "last", "bigint"],
];

const sum = (c: string) => `${c} = LEAST(flow_edges.${c} + excluded.${c}, ${MAX_EDGE_COUNTER})`;
const MERGE_SQL = `INSERT INTO flow_edges (${EDGE_COLUMNS.map((c) => c[1]).join(", ")})
  SELECT * FROM unnest(${EDGE_COLUMNS.map((c, i) => `$${i + 1}::${c[2]}[]`).join(", ")})
  ON CONFLICT (bucket, src, src_kind, dst, dst_kind, port, verdict) DO UPDATE SET
    rule = coalesce(excluded.rule, flow_edges.rule),
    ${["count", "packets", "bytes", "refused", "unanswered"].map(sum).join(",\n    ")},
    first = LEAST(flow_edges.first, excluded.first),
    last = GREATEST(flow_edges.last, excluded.last)`;

/**
 * Creates the day partitions `days` need that do not exist. Asked of the server each time (one
 * round trip per batch), not remembered: another replica's prune may have dropped one since; the
 * write lock keeps the answer current until this unit commits.
 */
async function ensurePartitions(sql: Sql, days: readonly number[]) {
  const missing = await sql.rows(
    "SELECT d FROM unnest($1::bigint[]) AS d WHERE to_regclass(format('flow_edges_d%s', to_char(to_timestamp(d / 1000) AT TIME ZONE 'UTC', 'YYYYMMDD'))) IS NULL",
    [days],
  );
  for (const r of missing) {
    const day = num(r.d);
    await sql.exec(
      `CREATE TABLE ${partitionName(day)} PARTITION OF flow_edges
       FOR VALUES FROM (${day}) TO (${day + DAY_MS})`,
    );
  }
}

/** The WHERE of an edge query and its values (outcome and limit apply after grouping). */
function edgeWhere(f: EdgeFilter): { where: string; values: unknown[] } {
  const clauses: string[] = [];
  const values: unknown[] = [];
  const add = (clause: (p: string) => string, v: unknown) => {
    values.push(v);
    clauses.push(clause(`$${values.length}`));
  };
  if (f.until !== undefined) add((p) => `bucket < ${p}`, f.until);
  // A bucket row's times lie in [bucket, bucket + one day): bounds the partitions scanned.
  if (f.since !== undefined) {
    add((p) => `last >= ${p}`, f.since);
    add((p) => `bucket > ${p}`, f.since - DAY_MS);
  }
  if (f.from !== undefined) add((p) => `src = ${p}`, f.from);
  if (f.to !== undefined) add((p) => `dst = ${p}`, f.to);
  if (f.either !== undefined) add((p) => `(src = ANY(${p}) OR dst = ANY(${p}))`, f.either);
  if (f.port !== undefined) add((p) => `port = ${p}`, f.port);
  if (f.verdict !== undefined) add((p) => `verdict = ${p}`, f.verdict);
  return { where: clauses.length === 0 ? "" : `WHERE ${clauses.join(" AND ")}`, values };
}

const total = (c: string) => `LEAST(sum(${c}), ${MAX_EDGE_COUNTER})::bigint AS ${c}`;

function storedEdge(r: Row): StoredEdge {
  const count = num(r.count);
  const outcomes = outcomesOf(count, num(r.refused), num(r.unanswered));
  return {
    from: String(r.src),
    fromKind: r.src_kind as StoredEdge["fromKind"],
    to: String(r.dst),
    toKind: r.dst_kind as StoredEdge["toKind"],
    port: String(r.port),
    verdict: r.verdict as StoredEdge["verdict"],
    rule: r.rule === null ? null : String(r.rule),
    count,
    packets: num(r.packets),
    bytes: num(r.bytes),
    firstSeen: num(r.first),
    lastSeen: num(r.last),
    outcome: outcomeOf(outcomes),
    outcomes,
  };
}

export function pgFlowTables(sql: Sql): FlowTables {
  return {
    flowSeqs: async (ids) =>
      new Map(
        (await sql.rows("SELECT agent, seq FROM flow_seqs WHERE agent = ANY($1)", [ids])).map(
          (r) => [String(r.agent), num(r.seq)] as const,
        ),
      ),
    setFlowSeqs: async (seqs) =>
      void (await sql.exec(
        `INSERT INTO flow_seqs (agent, seq) SELECT * FROM unnest($1::text[], $2::bigint[])
         ON CONFLICT (agent) DO UPDATE SET seq = excluded.seq`,
        [[...seqs.keys()], [...seqs.values()]],
      )),
    mergeEdges: async (deltas) => {
      if (deltas.length === 0) return;
      const merged = mergeDeltas(deltas);
      await ensurePartitions(sql, [...new Set(merged.map((m) => dayOf(m.bucket)))]);
      await sql.exec(
        MERGE_SQL,
        EDGE_COLUMNS.map(([k]) => merged.map((m) => m[k])),
      );
    },
    edges: async (filter) => {
      const { where, values } = edgeWhere(filter);
      const found = await sql.rows(
        `SELECT src, src_kind, dst, dst_kind, port, verdict,
           (array_agg(rule ORDER BY bucket DESC) FILTER (WHERE rule IS NOT NULL))[1] AS rule,
           ${["count", "packets", "bytes", "refused", "unanswered"].map(total).join(", ")},
           min(first) AS first, max(last) AS last
         FROM flow_edges ${where}
         GROUP BY src, src_kind, dst, dst_kind, port, verdict`,
        values,
      );
      const edges = found
        .map(storedEdge)
        .filter((e) => filter.outcome === undefined || e.outcome === filter.outcome)
        .sort(newestFirst);
      return filter.limit === undefined ? edges : edges.slice(0, filter.limit);
    },
    pruneEdges: async (before) => {
      let gone = 0;
      for (const day of await partitionDays(sql)) {
        if (day + DAY_MS <= before) {
          const name = partitionName(day);
          gone += num((await sql.rows(`SELECT count(*) AS n FROM ${name}`))[0]?.n);
          await sql.exec(`DROP TABLE ${name}`);
        } else if (day < before) {
          gone += await sql.exec("DELETE FROM flow_edges WHERE bucket < $1", [before]);
        }
      }
      return gone;
    },
    edgeStats: async () => {
      const r = (await sql.rows("SELECT count(*) AS n, min(bucket) AS oldest FROM flow_edges"))[0];
      return { rows: num(r?.n ?? 0), oldest: r?.oldest == null ? null : num(r.oldest) };
    },

    alert: async (id) => {
      const r = (await sql.rows("SELECT * FROM alerts WHERE id = $1", [id]))[0];
      return r === undefined ? undefined : alertFromRow(r);
    },
    alertState: async (id) => {
      const r = (
        await sql.rows("SELECT at, status, count, delivered FROM alerts WHERE id = $1", [id])
      )[0];
      if (r === undefined) return undefined;
      return {
        at: String(r.at),
        status: r.status as AlertStatus,
        count: num(r.count),
        ...(r.delivered !== null && { delivered: r.delivered as AlertSeverity }),
      };
    },
    alerts: async (f) => {
      const { where, values } = alertWhere(f);
      values.push(f.limit ?? null);
      const text = `SELECT * FROM alerts ${where} ORDER BY last_at DESC, id LIMIT $${values.length}`;
      return (await sql.rows(text, values)).map(alertFromRow);
    },
    putAlert: async (a) => {
      const columns = cols(ALERT);
      await sql.exec(upsertSql("alerts", columns, "id"), valuesOf(alertToRow(a), columns));
    },
    setAlertDelivered: async (id, severity) =>
      void (await sql.exec("UPDATE alerts SET delivered = $1 WHERE id = $2", [severity, id])),

    quarantine: async (workload) => {
      const r = (await sql.rows("SELECT * FROM quarantines WHERE workload = $1", [workload]))[0];
      return r === undefined ? undefined : quarantineFromRow(r);
    },
    quarantines: async () =>
      (await sql.rows("SELECT * FROM quarantines ORDER BY workload")).map(quarantineFromRow),
    putQuarantine: async (q) => {
      const columns = cols(QUARANTINE);
      await sql.exec(
        upsertSql("quarantines", columns, "workload"),
        valuesOf(quarantineToRow(q), columns),
      );
    },
    deleteQuarantine: async (workload) =>
      void (await sql.exec("DELETE FROM quarantines WHERE workload = $1", [workload])),
  };
}

/** The day each partition of flow_edges starts at, from its name, oldest first. */
export async function partitionDays(sql: Sql): Promise<number[]> {
  const found = await sql.rows(
    `SELECT c.relname AS name FROM pg_inherits i
       JOIN pg_class c ON c.oid = i.inhrelid
       JOIN pg_class p ON p.oid = i.inhparent
     WHERE p.relname = 'flow_edges' AND p.relnamespace = current_schema()::regnamespace`,
  );
  return found
    .map((r) => /^flow_edges_d(\d{4})(\d{2})(\d{2})$/.exec(String(r.name)))
    .filter((m) => m !== null)
    .map((m) => Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))
    .sort((a, b) => a - b);
}

function alertWhere(f: AlertFilter): { where: string; values: unknown[] } {
  const clauses: string[] = [];
  const values: unknown[] = [];
  for (const key of ["kind", "status", "source"] as const) {
    if (f[key] === undefined) continue;
    values.push(f[key]);
    clauses.push(`${key} = $${values.length}`);
  }
  if (f.since !== undefined) {
    values.push(f.since);
    clauses.push(`last_at >= $${values.length}`);
  }
  return { where: clauses.length === 0 ? "" : `WHERE ${clauses.join(" AND ")}`, values };
}
