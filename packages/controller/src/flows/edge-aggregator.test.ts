import { describe, expect, it } from "vitest";
import type { FlowEndRef } from "./address-book.js";
import { type AggregatedEdge, EdgeAggregator, MAX_AGE_BUCKETS } from "./edge-aggregator.js";

const H = 3_600_000;
const NOW = 1_000 * H + 1234;
const db: FlowEndRef = { name: "db-1", kind: "workload", managed: true };
const ext: FlowEndRef = { name: "203.0.113.1", kind: "address", managed: false };

function all(agg: EdgeAggregator): AggregatedEdge[] {
  const out: AggregatedEdge[] = [];
  agg.forEach((e) => {
    out.push(e);
  });
  return out;
}

describe("EdgeAggregator", () => {
  it("sums records of one edge and bucket, and keeps edges and buckets apart", () => {
    const agg = new EdgeAggregator(H, NOW);
    agg.add(db, 0, "tcp", 5432, 0, 0, 2, 20, 200, NOW - 500, NOW - 100);
    agg.add(db, 0, "6", 5432, 0, 0, 3, 30, 300, NOW - 900, NOW - 50); // "6" is tcp
    agg.add(db, 1, "tcp", 5432, 0, 0, 1, 1, 1, NOW - 10, NOW - 5); // other side
    agg.add(db, 0, "tcp", 5432, 1, 0, 1, 1, 1, NOW - 10, NOW - 5); // other verdict
    agg.add(ext, 0, "udp", 53, 0, 0, 1, 1, 1, NOW - 10, NOW - 5);
    agg.add(db, 0, "tcp", 5432, 0, 0, 4, 0, 0, NOW - H - 10, NOW - H); // the hour before
    const edges = all(agg);
    expect(agg.size).toBe(5);
    expect(edges[0]).toEqual({
      remote: db,
      side: 0,
      port: "tcp/5432",
      verdict: "allowed",
      outcome: "established",
      bucket: 1000 * H,
      count: 5,
      packets: 50,
      bytes: 500,
      first: NOW - 900,
      last: NOW - 50,
    });
    expect(edges.map((e) => [e.remote.name, e.side, e.port, e.verdict, e.bucket])).toEqual([
      ["db-1", 0, "tcp/5432", "allowed", 1000 * H],
      ["db-1", 1, "tcp/5432", "allowed", 1000 * H],
      ["db-1", 0, "tcp/5432", "blocked", 1000 * H],
      ["203.0.113.1", 0, "udp/53", "allowed", 1000 * H],
      ["db-1", 0, "tcp/5432", "allowed", 999 * H],
    ]);
  });

  it("counts a future time as now and refuses records older than it can key", () => {
    const agg = new EdgeAggregator(H, NOW);
    agg.add(ext, 0, "icmp", 8, 2, 0, 1, 1, 1, NOW + 5 * H, NOW + 6 * H);
    expect(all(agg)[0]).toMatchObject({
      port: "icmp",
      verdict: "would-block",
      first: NOW,
      last: NOW,
    });
    const old = NOW - MAX_AGE_BUCKETS * H;
    expect(agg.add(ext, 0, "tcp", 1, 0, 0, 1, 1, 1, old - 1, old)).toBe(false);
    expect(agg.size).toBe(1);
  });

  it("keeps outcomes apart; a blocked record is unanswered whatever it says", () => {
    const agg = new EdgeAggregator(H, NOW);
    for (const verdict of [0, 2]) {
      for (const outcome of [0, 1, 2]) {
        agg.add(db, 1, "tcp", 5432, verdict, outcome, 1 + outcome, 1, 1, NOW - 10, NOW - 5);
      }
    }
    agg.add(db, 1, "tcp", 5432, 1, 0, 1, 1, 1, NOW - 10, NOW - 5);
    agg.add(db, 1, "tcp", 5432, 1, 1, 2, 1, 1, NOW - 10, NOW - 5);
    agg.add(db, 1, "tcp", 5432, 1, 2, 4, 1, 1, NOW - 10, NOW - 5);
    agg.add(db, 1, "tcp", 5432, 0, 1, 10, 1, 1, NOW - 10, NOW - 5); // allowed, refused again
    expect(all(agg).map((e) => [e.verdict, e.outcome, e.count])).toEqual([
      ["allowed", "established", 1],
      ["allowed", "refused", 12],
      ["allowed", "unanswered", 3],
      ["would-block", "established", 1],
      ["would-block", "refused", 2],
      ["would-block", "unanswered", 3],
      ["blocked", "unanswered", 7],
    ]);
  });

  it("keys the oldest bucket's every class exactly (below 2^53)", () => {
    const agg = new EdgeAggregator(H, NOW);
    const oldest = (Math.floor(NOW / H) - MAX_AGE_BUCKETS + 1) * H;
    const ends = [db, ext];
    for (const remote of ends) {
      for (const side of [0, 1] as const) {
        for (const verdict of [0, 1, 2]) {
          for (const outcome of [0, 1, 2]) {
            agg.add(remote, side, "udp", 65535, verdict, outcome, 1, 1, 1, oldest, oldest + 1);
          }
        }
      }
    }
    const got = all(agg);
    expect(got.every((e) => e.bucket === oldest && e.port === "udp/65535")).toBe(true);
    const classes = [
      ...["allowed", "would-block"].flatMap((v) =>
        ["established", "refused", "unanswered"].map((o) => `${v} ${o}`),
      ),
      "blocked unanswered",
    ];
    const want = ends.flatMap((r) =>
      [0, 1].flatMap((side) => classes.map((c) => `${r.name} ${side} ${c}`)),
    );
    const decoded = got.map((e) => `${e.remote.name} ${e.side} ${e.verdict} ${e.outcome}`);
    expect(decoded.sort()).toEqual(want.sort());
  });

  it("grows past its first columns", () => {
    const agg = new EdgeAggregator(H, NOW);
    const ends = Array.from({ length: 1000 }, (_, i) => ({
      ...ext,
      name: `10.0.${i >> 8}.${i & 255}`,
    }));
    for (const e of ends) agg.add(e, 1, "tcp", 80, 0, 0, 1, 1, 1, NOW - 1, NOW);
    for (const e of ends) agg.add(e, 1, "tcp", 80, 0, 0, 1, 1, 1, NOW - 1, NOW);
    expect(agg.size).toBe(1000);
    expect(all(agg).every((e) => e.count === 2)).toBe(true);
  });
});
