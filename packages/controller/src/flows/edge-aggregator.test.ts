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
    agg.add(db, 0, "tcp", 5432, 0, 2, 20, 200, NOW - 500, NOW - 100);
    agg.add(db, 0, "6", 5432, 0, 3, 30, 300, NOW - 900, NOW - 50); // "6" is tcp
    agg.add(db, 1, "tcp", 5432, 0, 1, 1, 1, NOW - 10, NOW - 5); // other side
    agg.add(db, 0, "tcp", 5432, 1, 1, 1, 1, NOW - 10, NOW - 5); // other verdict
    agg.add(ext, 0, "udp", 53, 0, 1, 1, 1, NOW - 10, NOW - 5);
    agg.add(db, 0, "tcp", 5432, 0, 4, 0, 0, NOW - H - 10, NOW - H); // the hour before
    const edges = all(agg);
    expect(agg.size).toBe(5);
    expect(edges[0]).toEqual({
      remote: db,
      side: 0,
      port: "tcp/5432",
      verdict: "allowed",
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
    agg.add(ext, 0, "icmp", 8, 2, 1, 1, 1, NOW + 5 * H, NOW + 6 * H);
    expect(all(agg)[0]).toMatchObject({
      port: "icmp",
      verdict: "would-block",
      first: NOW,
      last: NOW,
    });
    const old = NOW - MAX_AGE_BUCKETS * H;
    expect(agg.add(ext, 0, "tcp", 1, 0, 1, 1, 1, old - 1, old)).toBe(false);
    expect(agg.size).toBe(1);
  });

  it("grows past its first columns", () => {
    const agg = new EdgeAggregator(H, NOW);
    const ends = Array.from({ length: 1000 }, (_, i) => ({
      ...ext,
      name: `10.0.${i >> 8}.${i & 255}`,
    }));
    for (const e of ends) agg.add(e, 1, "tcp", 80, 0, 1, 1, 1, NOW - 1, NOW);
    for (const e of ends) agg.add(e, 1, "tcp", 80, 0, 1, 1, 1, NOW - 1, NOW);
    expect(agg.size).toBe(1000);
    expect(all(agg).every((e) => e.count === 2)).toBe(true);
  });
});
