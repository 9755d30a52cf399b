// Flow edges in SQLite: one upsert per delta (counts summed, first min, last max, in the row's
// bucket) and one GROUP BY per query. Filters are SQL so the indexes do the work: (src, bucket)
// and (dst, bucket) serve from/to/workload/label queries, the primary key (bucket first) serves
// time ranges. Names come back through a join with the dictionary (flow-names.ts). A row's
// `refused` and `unanswered` count those of its `count` connections (migration 5); the rest were
// established, and an edge's outcome is derived from the sums (shared/edge-outcome.ts).

import type Database from "better-sqlite3";
import type { Tables } from "../engine/tables.js";
import {
  type EdgeDelta,
  type EdgeFilter,
  type EdgeOutcome,
  type EdgeVerdict,
  MAX_BUCKET_MS,
  MAX_EDGE_COUNTER,
  type StoredEdge,
} from "../flow-records.js";
import { newestFirst } from "../shared/edge-order.js";
import { deltaOutcome, outcomeOf, outcomesOf } from "../shared/edge-outcome.js";
import { type FlowNames, KIND_OF_END } from "./flow-names.js";

type FlowTables = Pick<
  Tables,
  "flowSeqs" | "setFlowSeqs" | "mergeEdges" | "edges" | "pruneEdges" | "edgeStats"
>;
type Row = Record<string, unknown>;

const VERDICTS: readonly EdgeVerdict[] = ["allowed", "blocked", "would-block"];
const VERDICT_CODE: Record<EdgeVerdict, number> = { allowed: 0, blocked: 1, "would-block": 2 };
/**
 * The newest bucket's rule wins a merge: max(bucket * RULE_SPAN + rule) picks it in one
 * aggregate, and `% RULE_SPAN` recovers the rule id (ids stay below 2^21; buckets in seconds
 * keep the product below 2^53 until the year 2106).
 */
const RULE_SPAN = 2_097_152;

/**
 * Counters saturate at MAX_EDGE_COUNTER: an integer sum past 2^63 turns REAL in SQLite, which a
 * STRICT INTEGER column refuses (and sum() raises "integer overflow"); min() takes the cap
 * whether the sum overflowed or not. Sums across rows use total() (a double, exact below 2^53).
 */
const CAP = MAX_EDGE_COUNTER;
const UPSERT = `
INSERT INTO flow_edges
  (bucket, src, dst, port, verdict, rule, count, packets, bytes, first, last, refused, unanswered)
VALUES (?, ?, ?, ?, ?, ?, min(?, ${CAP}), min(?, ${CAP}), min(?, ${CAP}), ?, ?,
  min(?, ${CAP}), min(?, ${CAP}))
ON CONFLICT (bucket, src, dst, port, verdict) DO UPDATE SET
  rule = coalesce(excluded.rule, rule),
  count = min(count + excluded.count, ${CAP}),
  refused = min(refused + excluded.refused, ${CAP}),
  unanswered = min(unanswered + excluded.unanswered, ${CAP}),
  packets = min(packets + excluded.packets, ${CAP}),
  bytes = min(bytes + excluded.bytes, ${CAP}),
  first = min(first, excluded.first),
  last = max(last, excluded.last)`;

const NAMED = (param: string) => `(SELECT id FROM flow_ends WHERE name = @${param})`;
const ANY_OF = "(SELECT id FROM flow_ends WHERE name IN (SELECT value FROM json_each(@either)))";

/** The merged edge's outcome as a condition on its sums: outcomeOf() in SQL. */
const ANSWERED = "total(count) > total(refused) + total(unanswered)";
const NONE_FAILED = "total(refused) = 0 AND total(unanswered) = 0";
const OUTCOME_HAVING: Record<EdgeOutcome, string> = {
  established: `HAVING ${ANSWERED} OR (${NONE_FAILED})`,
  refused: `HAVING NOT (${ANSWERED}) AND total(refused) > 0`,
  unanswered: `HAVING NOT (${ANSWERED}) AND total(refused) = 0 AND total(unanswered) > 0`,
};

function whereClause(f: EdgeFilter): { sql: string; params: Row } {
  const clauses: string[] = [];
  const params: Row = {};
  if (f.since !== undefined) {
    clauses.push("bucket >= @sinceLow", "bucket * 1000 + last >= @since");
    params.sinceLow = Math.floor((f.since - MAX_BUCKET_MS) / 1000);
    params.since = f.since;
  }
  if (f.until !== undefined) {
    clauses.push("bucket < @untilSec");
    params.untilSec = Math.ceil(f.until / 1000);
  }
  if (f.from !== undefined) {
    clauses.push(`src IN ${NAMED("from")}`);
    params.from = f.from;
  }
  if (f.to !== undefined) {
    clauses.push(`dst IN ${NAMED("to")}`);
    params.to = f.to;
  }
  if (f.either !== undefined) {
    clauses.push(`(src IN ${ANY_OF} OR dst IN ${ANY_OF})`);
    params.either = JSON.stringify(f.either);
  }
  if (f.port !== undefined) {
    clauses.push("port = (SELECT id FROM flow_terms WHERE text = @port)");
    params.port = f.port;
  }
  if (f.verdict !== undefined) {
    clauses.push("verdict = @verdict");
    params.verdict = VERDICT_CODE[f.verdict];
  }
  if (f.limit !== undefined) params.limit = f.limit;
  return { sql: clauses.length === 0 ? "" : `WHERE ${clauses.join(" AND ")}`, params };
}

const capped = (column: string) => `CAST(min(total(${column}), ${CAP}) AS INTEGER)`;

function edgeQuery(where: string, outcome: EdgeOutcome | undefined, limited: boolean): string {
  return `
SELECT s.name AS from_name, s.kind AS from_kind, d.name AS to_name, d.kind AS to_kind,
  p.text AS port, g.verdict, r.text AS rule, g.count, g.packets, g.bytes, g.first_seen, g.last_seen,
  g.refused, g.unanswered
FROM (
  SELECT src, dst, port, verdict, max(bucket * ${RULE_SPAN} + rule) AS rule_key,
    ${capped("count")} AS count, ${capped("packets")} AS packets, ${capped("bytes")} AS bytes,
    ${capped("refused")} AS refused, ${capped("unanswered")} AS unanswered,
    min(bucket * 1000 + first) AS first_seen, max(bucket * 1000 + last) AS last_seen
  FROM flow_edges ${where}
  GROUP BY src, dst, port, verdict
  ${outcome === undefined ? "" : OUTCOME_HAVING[outcome]}
  ${limited ? "ORDER BY last_seen DESC LIMIT @limit" : ""}
) g
JOIN flow_ends s ON s.id = g.src
JOIN flow_ends d ON d.id = g.dst
JOIN flow_terms p ON p.id = g.port
LEFT JOIN flow_terms r ON r.id = g.rule_key % ${RULE_SPAN}`;
}

function edgeFromRow(r: Row): StoredEdge {
  const outcomes = outcomesOf(r.count as number, r.refused as number, r.unanswered as number);
  return {
    from: r.from_name as string,
    fromKind: KIND_OF_END[r.from_kind as number] ?? "address",
    to: r.to_name as string,
    toKind: KIND_OF_END[r.to_kind as number] ?? "address",
    port: r.port as string,
    verdict: VERDICTS[r.verdict as number] ?? "allowed",
    rule: (r.rule as string | null) ?? null,
    count: r.count as number,
    packets: r.packets as number,
    bytes: r.bytes as number,
    firstSeen: r.first_seen as number,
    lastSeen: r.last_seen as number,
    outcome: outcomeOf(outcomes),
    outcomes,
  };
}

export function sqliteFlowTables(db: Database.Database, names: FlowNames): FlowTables {
  const seqOf = db.prepare("SELECT seq FROM flow_seqs WHERE agent = ?").pluck();
  const putSeq = db.prepare(
    "INSERT INTO flow_seqs (agent, seq) VALUES (?, ?) ON CONFLICT (agent) DO UPDATE SET seq = excluded.seq",
  );
  const upsert = db.prepare(UPSERT);
  const prune = db.prepare("DELETE FROM flow_edges WHERE bucket < ?");
  const pruneEnds = db.prepare(
    "DELETE FROM flow_ends WHERE id NOT IN (SELECT src FROM flow_edges UNION SELECT dst FROM flow_edges)",
  );
  const pruneTerms = db.prepare(`DELETE FROM flow_terms WHERE id NOT IN
    (SELECT port FROM flow_edges UNION SELECT rule FROM flow_edges WHERE rule IS NOT NULL)`);
  const stats = db.prepare("SELECT count(*) AS n, min(bucket) AS oldest FROM flow_edges");
  const queries = new Map<string, Database.Statement>();
  const query = (sql: string) => {
    let st = queries.get(sql);
    if (st === undefined) {
      st = db.prepare(sql);
      queries.set(sql, st);
    }
    return st;
  };

  return {
    // In process: a prepared statement per agent costs microseconds.
    flowSeqs: (ids) =>
      new Map(
        ids.flatMap((id) => {
          const seq = seqOf.get(id) as number | undefined;
          return seq === undefined ? [] : [[id, seq] as const];
        }),
      ),
    setFlowSeqs: (seqs) => {
      for (const [id, seq] of seqs) putSeq.run(id, seq);
    },
    mergeEdges(deltas: readonly EdgeDelta[]) {
      for (const d of deltas) {
        if (d.bucket % 1000 !== 0) throw new Error(`edge bucket ${d.bucket} is not whole seconds`);
        const outcome = deltaOutcome(d);
        upsert.run(
          d.bucket / 1000,
          names.endId(d.from, d.fromKind),
          names.endId(d.to, d.toKind),
          names.termId(d.port),
          VERDICT_CODE[d.verdict],
          d.rule === null ? null : names.termId(d.rule),
          d.count,
          d.packets,
          d.bytes,
          d.first - d.bucket,
          d.last - d.bucket,
          outcome === "refused" ? d.count : 0,
          outcome === "unanswered" ? d.count : 0,
        );
      }
    },
    edges(filter) {
      const { sql, params } = whereClause(filter);
      const limited = filter.limit !== undefined;
      const rows = query(edgeQuery(sql, filter.outcome, limited)).all(params) as Row[];
      return rows.map(edgeFromRow).sort(newestFirst);
    },
    pruneEdges(before) {
      const gone = prune.run(Math.ceil(before / 1000)).changes;
      if (gone > 0) {
        pruneEnds.run();
        pruneTerms.run();
        names.forget();
      }
      return gone;
    },
    edgeStats() {
      const r = stats.get() as { n: number; oldest: number | null };
      return { rows: r.n, oldest: r.oldest === null ? null : r.oldest * 1000 };
    },
  };
}
