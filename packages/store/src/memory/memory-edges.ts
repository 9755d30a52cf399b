// The memory adapter's flow edges: one frozen row per (bucket, from, to, port, verdict), merged
// on write and grouped across buckets on read, with the same semantics as the SQLite adapter's
// upsert and GROUP BY (the contract suite holds both to them). A row counts its connections in
// `count` and, of those, the refused and unanswered ones, as the SQLite row does.

import {
  type EdgeDelta,
  type EdgeFilter,
  MAX_EDGE_COUNTER,
  type StoredEdge,
} from "../flow-records.js";
import { newestFirst } from "../shared/edge-order.js";
import { deltaOutcome, outcomeOf, outcomesOf } from "../shared/edge-outcome.js";
import type { UndoMap } from "./undo-map.js";

/** One stored row: a delta's fields without its outcome, plus the failed counts of `count`. */
export interface EdgeRow extends Omit<EdgeDelta, "outcome"> {
  readonly refused: number;
  readonly unanswered: number;
}

const SEP = "\u0000";
/** A counter sum, saturated like the SQLite adapter's (flow-records.ts MAX_EDGE_COUNTER). */
const add = (a: number, b: number) => Math.min(a + b, MAX_EDGE_COUNTER);
const edgeKey = (d: EdgeRow | EdgeDelta) =>
  [d.from, d.fromKind, d.to, d.toKind, d.port, d.verdict].join(SEP);

export function mergeEdgeRows(rows: UndoMap<string, EdgeRow>, deltas: readonly EdgeDelta[]) {
  for (const d of deltas) {
    if (d.bucket % 1000 !== 0) throw new Error(`edge bucket ${d.bucket} is not whole seconds`);
    const key = `${d.bucket}${SEP}${edgeKey(d)}`;
    const prev = rows.get(key);
    rows.set(key, Object.freeze(prev === undefined ? first(d) : merged(prev, d)));
  }
}

/** A bucket's first row: the delta with its counters capped. */
function first(d: EdgeDelta): EdgeRow {
  const cap = (n: number) => Math.min(n, MAX_EDGE_COUNTER);
  const { outcome: _, ...rest } = d;
  const failed = failedOf(d);
  return {
    ...rest,
    count: cap(d.count),
    packets: cap(d.packets),
    bytes: cap(d.bytes),
    refused: cap(failed.refused),
    unanswered: cap(failed.unanswered),
  };
}

function failedOf(d: EdgeDelta): { refused: number; unanswered: number } {
  const outcome = deltaOutcome(d);
  return {
    refused: outcome === "refused" ? d.count : 0,
    unanswered: outcome === "unanswered" ? d.count : 0,
  };
}

function merged(prev: EdgeRow, d: EdgeDelta): EdgeRow {
  const failed = failedOf(d);
  return {
    ...prev,
    rule: d.rule ?? prev.rule,
    count: add(prev.count, d.count),
    refused: add(prev.refused, failed.refused),
    unanswered: add(prev.unanswered, failed.unanswered),
    packets: add(prev.packets, d.packets),
    bytes: add(prev.bytes, d.bytes),
    first: Math.min(prev.first, d.first),
    last: Math.max(prev.last, d.last),
  };
}

function matches(r: EdgeRow, f: EdgeFilter, either: Set<string> | undefined): boolean {
  if (f.until !== undefined && r.bucket >= f.until) return false;
  if (f.since !== undefined && r.last < f.since) return false;
  if (f.from !== undefined && r.from !== f.from) return false;
  if (f.to !== undefined && r.to !== f.to) return false;
  if (either !== undefined && !either.has(r.from) && !either.has(r.to)) return false;
  if (f.port !== undefined && r.port !== f.port) return false;
  return f.verdict === undefined || r.verdict === f.verdict;
}

interface Group {
  edge: Merging;
  /** The bucket the group's rule came from: the newest bucket with a rule wins. */
  ruleBucket: number;
}

/** A group's sums while rows are merged; its outcome is derived once all are in. */
type Merging = Omit<StoredEdge, "outcome" | "outcomes"> & { refused: number; unanswered: number };

export function queryEdgeRows(rows: readonly EdgeRow[], f: EdgeFilter): StoredEdge[] {
  const either = f.either === undefined ? undefined : new Set(f.either);
  const groups = new Map<string, Group>();
  for (const r of rows) {
    if (!matches(r, f, either)) continue;
    const key = edgeKey(r);
    const g = groups.get(key);
    if (g === undefined) {
      groups.set(key, { edge: storedEdge(r), ruleBucket: r.rule === null ? -1 : r.bucket });
      continue;
    }
    const e = g.edge;
    const newerRule = r.rule !== null && r.bucket > g.ruleBucket;
    if (newerRule) g.ruleBucket = r.bucket;
    g.edge = {
      ...e,
      rule: newerRule ? r.rule : e.rule,
      count: add(e.count, r.count),
      packets: add(e.packets, r.packets),
      bytes: add(e.bytes, r.bytes),
      refused: add(e.refused, r.refused),
      unanswered: add(e.unanswered, r.unanswered),
      firstSeen: Math.min(e.firstSeen, r.first),
      lastSeen: Math.max(e.lastSeen, r.last),
    };
  }
  const edges = [...groups.values()]
    .map((g) => withOutcome(g.edge))
    .filter((e) => f.outcome === undefined || e.outcome === f.outcome)
    .sort(newestFirst);
  return f.limit === undefined ? edges : edges.slice(0, f.limit);
}

function storedEdge(r: EdgeRow): Merging {
  const { bucket: _, first, last, ...rest } = r;
  return { ...rest, firstSeen: first, lastSeen: last };
}

function withOutcome(m: Merging): StoredEdge {
  const { refused, unanswered, ...rest } = m;
  const outcomes = outcomesOf(m.count, refused, unanswered);
  return { ...rest, outcome: outcomeOf(outcomes), outcomes };
}
