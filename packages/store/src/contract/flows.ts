import { describe, expect, it } from "vitest";
import { type EdgeDelta, MAX_EDGE_COUNTER } from "../flow-records.js";
import type { MakeHarness } from "../testing.js";
import { flowOutcomeCases } from "./flow-outcomes.js";
import { useHarness } from "./setup.js";

const H = 3_600_000;
const T0 = Date.parse("2026-01-01T00:00:00.000Z");

export function delta(over: Partial<EdgeDelta> = {}): EdgeDelta {
  const bucket = over.bucket ?? T0;
  return {
    bucket,
    from: "web-1",
    fromKind: "workload",
    to: "db-1",
    toKind: "workload",
    port: "tcp/5432",
    verdict: "allowed",
    rule: null,
    count: 1,
    packets: 10,
    bytes: 1000,
    first: bucket + 1000,
    last: bucket + 2000,
    ...over,
  };
}

export function flowContract(make: MakeHarness, durable: boolean): void {
  describe("flows", () => {
    const c = useHarness(make);

    it("merges deltas into one row per bucket and edges across buckets", async () => {
      const f = c.store.flows;
      await f.applyBatch("ag1", 1, [
        delta({ count: 2, first: T0 + 500, last: T0 + 900 }),
        delta({ count: 3, packets: 5, bytes: 7, first: T0 + 100, last: T0 + 600 }),
        delta({ bucket: T0 + H, count: 4, first: T0 + H + 10, last: T0 + H + 20 }),
      ]);
      expect(await f.stats()).toEqual({ rows: 2, oldest: T0 });
      expect(await f.edges()).toEqual([
        {
          from: "web-1",
          fromKind: "workload",
          to: "db-1",
          toKind: "workload",
          port: "tcp/5432",
          verdict: "allowed",
          rule: null,
          count: 9,
          packets: 25,
          bytes: 2007,
          firstSeen: T0 + 100,
          lastSeen: T0 + H + 20,
          outcome: "established",
          outcomes: { established: 9, refused: 0, unanswered: 0 },
        },
      ]);
    });

    it("keeps edges apart by ends, end kind, port and verdict; newest lastSeen first", async () => {
      await c.store.flows.applyBatch("ag1", 1, [
        delta({ last: T0 + 10 }),
        delta({ to: "198.51.100.7", toKind: "address", last: T0 + 50 }),
        delta({ port: "udp/53", last: T0 + 40 }),
        delta({ verdict: "blocked", last: T0 + 30 }),
        delta({ from: "web-2", last: T0 + 20 }),
      ]);
      const edges = await c.store.flows.edges();
      expect(edges.map((e) => [e.from, e.to, e.toKind, e.port, e.verdict])).toEqual([
        ["web-1", "198.51.100.7", "address", "tcp/5432", "allowed"],
        ["web-1", "db-1", "workload", "udp/53", "allowed"],
        ["web-1", "db-1", "workload", "tcp/5432", "blocked"],
        ["web-2", "db-1", "workload", "tcp/5432", "allowed"],
        ["web-1", "db-1", "workload", "tcp/5432", "allowed"],
      ]);
      expect((await c.store.flows.edges({ limit: 2 })).map((e) => e.lastSeen)).toEqual([
        T0 + 50,
        T0 + 40,
      ]);
    });

    it("applies a batch once per agent and sequence number", async () => {
      const f = c.store.flows;
      expect(await f.applyBatch("ag1", 1, [delta()])).toEqual({ duplicate: false });
      expect(await f.applyBatch("ag1", 1, [delta()])).toEqual({ duplicate: true });
      expect(await f.applyBatch("ag1", 3, [delta()])).toEqual({ duplicate: false });
      expect(await f.applyBatch("ag1", 2, [delta()])).toEqual({ duplicate: true });
      expect(await f.applyBatch("ag2", 1, [delta()])).toEqual({ duplicate: false });
      expect((await f.edges())[0]?.count).toBe(3);
    });

    it("applies several agents' batches in one unit, each once, in order", async () => {
      const f = c.store.flows;
      await f.applyBatch("ag1", 1, [delta({ count: 1 })]);
      const answers = await f.applyBatches([
        { agentId: "ag1", seq: 1, deltas: [delta({ count: 100 })] },
        { agentId: "ag2", seq: 1, deltas: [delta({ count: 2 })] },
        { agentId: "ag1", seq: 2, deltas: [delta({ count: 3 })] },
        { agentId: "ag1", seq: 2, deltas: [delta({ count: 100 })] },
      ]);
      expect(answers).toEqual([
        { duplicate: true },
        { duplicate: false },
        { duplicate: false },
        { duplicate: true },
      ]);
      expect((await f.edges())[0]?.count).toBe(6);
      expect(await f.applyBatches([])).toEqual([]);
      c.h.failAt("flows.applyBatch:merged");
      await expect(
        f.applyBatches([
          { agentId: "ag3", seq: 1, deltas: [delta({ count: 50 })] },
          { agentId: "ag4", seq: 1, deltas: [delta({ count: 50 })] },
        ]),
      ).rejects.toThrow(/failpoint/);
      c.h.failAt(undefined);
      expect((await f.edges())[0]?.count).toBe(6);
      expect(await f.applyBatch("ag3", 1, [])).toEqual({ duplicate: false });
    });

    it("a failed batch leaves nothing behind and can be retried", async () => {
      await c.store.flows.applyBatch("ag1", 1, [delta({ count: 1 })]);
      c.h.failAt("flows.applyBatch:merged");
      await expect(
        c.store.flows.applyBatch("ag1", 2, [delta({ count: 5, from: "new-1" })]),
      ).rejects.toThrow(/failpoint/);
      c.h.failAt(undefined);
      expect((await c.store.flows.edges()).map((e) => [e.from, e.count])).toEqual([["web-1", 1]]);
      expect(
        await c.store.flows.applyBatch("ag1", 2, [delta({ count: 5, from: "new-1" })]),
      ).toEqual({ duplicate: false });
      expect((await c.store.flows.edges({ from: "new-1" }))[0]?.count).toBe(5);
    });

    it("saturates edge counters at MAX_EDGE_COUNTER instead of failing the batch", async () => {
      const f = c.store.flows;
      const big = 2 ** 52;
      const huge = { count: big, packets: big, bytes: big };
      // Six times 2^52 in one bucket, then in a second bucket: a stored row and the sum across
      // rows both pass 2^53 (and, without a cap, SQLite's 2^63 after enough batches).
      for (let seq = 1; seq <= 3; seq++) {
        await f.applyBatch("ag1", seq, [
          delta(huge),
          delta(huge),
          delta({ ...huge, bucket: T0 + H }),
        ]);
      }
      await f.applyBatch("ag1", 4, [delta({ count: 9e18, packets: 1, bytes: 1 })]);
      const [edge] = await f.edges();
      expect(edge?.count).toBe(MAX_EDGE_COUNTER);
      expect(edge?.packets).toBe(MAX_EDGE_COUNTER);
      // Past 2^63 an unsaturated sum turns REAL, which the STRICT table refuses.
      expect(await f.applyBatch("ag1", 5, [delta({ count: 9e18 })])).toEqual({ duplicate: false });
      expect((await f.edges())[0]?.count).toBe(MAX_EDGE_COUNTER);
    });

    it("filters by from, to, either end, port and verdict", async () => {
      await c.store.flows.applyBatch("ag1", 1, [
        delta(),
        delta({ from: "db-1", to: "backup-1", port: "tcp/22", last: T0 + 5000 }),
        delta({ from: "scanner", fromKind: "address", verdict: "blocked", last: T0 + 6000 }),
        delta({ from: "web-2", to: "cache-1", port: "tcp/6379", last: T0 + 7000 }),
      ]);
      const pairs = async (filter: Parameters<typeof c.store.flows.edges>[0]) =>
        (await c.store.flows.edges(filter)).map((e) => `${e.from}>${e.to}`);
      expect(await pairs({ from: "web-1" })).toEqual(["web-1>db-1"]);
      expect(await pairs({ to: "db-1" })).toEqual(["scanner>db-1", "web-1>db-1"]);
      expect(await pairs({ either: ["db-1"] })).toEqual([
        "scanner>db-1",
        "db-1>backup-1",
        "web-1>db-1",
      ]);
      expect(await pairs({ either: ["backup-1", "cache-1"] })).toEqual([
        "web-2>cache-1",
        "db-1>backup-1",
      ]);
      expect(await pairs({ port: "tcp/22" })).toEqual(["db-1>backup-1"]);
      expect(await pairs({ port: "tcp/9" })).toEqual([]);
      expect(await pairs({ verdict: "blocked" })).toEqual(["scanner>db-1"]);
      expect(await pairs({ to: "db-1", verdict: "allowed", port: "tcp/5432" })).toEqual([
        "web-1>db-1",
      ]);
      expect(await pairs({ from: "nobody" })).toEqual([]);
    });

    it("filters by time: a bucket counts when it starts before until and ends after since", async () => {
      await c.store.flows.applyBatch("ag1", 1, [
        delta({ bucket: T0, first: T0 + 100, last: T0 + 200, count: 1 }),
        delta({ bucket: T0 + H, first: T0 + H + 100, last: T0 + H + 200, count: 10 }),
        delta({ bucket: T0 + 2 * H, first: T0 + 2 * H, last: T0 + 2 * H + 50, count: 100 }),
      ]);
      const count = async (since?: number, until?: number) =>
        (
          await c.store.flows.edges({
            ...(since !== undefined && { since }),
            ...(until !== undefined && { until }),
          })
        )[0]?.count ?? 0;
      expect(await count()).toBe(111);
      expect(await count(T0 + H)).toBe(110);
      expect(await count(T0 + H + 150)).toBe(110);
      expect(await count(T0 + H + 250)).toBe(100);
      expect(await count(undefined, T0 + H)).toBe(1);
      expect(await count(undefined, T0 + H + 1)).toBe(11);
      expect(await count(T0 + 150, T0 + 2 * H)).toBe(11);
      expect(await count(T0 + 3 * H)).toBe(0);
      const merged = (await c.store.flows.edges({ since: T0 + H }))[0];
      expect([merged?.firstSeen, merged?.lastSeen]).toEqual([T0 + H + 100, T0 + 2 * H + 50]);
    });

    it("keeps the newest known rule: the latest in a bucket, the newest bucket across", async () => {
      const blocked = { verdict: "blocked" as const };
      await c.store.flows.applyBatch("ag1", 1, [
        delta({ ...blocked, rule: "deny-a" }),
        delta({ ...blocked, rule: null }),
        delta({ ...blocked, bucket: T0 + H, rule: "deny-b" }),
        delta({ ...blocked, bucket: T0 + 2 * H, rule: null }),
      ]);
      expect((await c.store.flows.edges())[0]?.rule).toBe("deny-b");
      expect((await c.store.flows.edges({ until: T0 + H }))[0]?.rule).toBe("deny-a");
      await c.store.flows.applyBatch("ag1", 2, [delta({ ...blocked, rule: "deny-c" })]);
      expect((await c.store.flows.edges({ until: T0 + H }))[0]?.rule).toBe("deny-c");
      expect((await c.store.flows.edges({ since: T0 + 2 * H }))[0]?.rule).toBeNull();
    });

    it("prunes buckets that started before a time", async () => {
      await c.store.flows.applyBatch("ag1", 1, [
        delta({ bucket: T0 }),
        delta({ bucket: T0, to: "198.51.100.9", toKind: "address", port: "udp/9" }),
        delta({ bucket: T0 + H }),
        delta({ bucket: T0 + 2 * H, rule: "allow-db" }),
      ]);
      expect(await c.store.flows.prune(T0 + H)).toBe(2);
      expect(await c.store.flows.prune(T0 + H)).toBe(0);
      expect(await c.store.flows.stats()).toEqual({ rows: 2, oldest: T0 + H });
      const edges = await c.store.flows.edges();
      expect(edges.map((e) => [e.to, e.count, e.rule])).toEqual([["db-1", 2, "allow-db"]]);
      // Names freed by the prune come back when they are seen again.
      await c.store.flows.applyBatch("ag1", 2, [
        delta({ bucket: T0 + 3 * H, to: "198.51.100.9", toKind: "address", port: "udp/9" }),
      ]);
      expect((await c.store.flows.edges({ port: "udp/9" }))[0]?.to).toBe("198.51.100.9");
      expect(await c.store.flows.prune(T0 + 10 * H)).toBe(3);
      expect(await c.store.flows.stats()).toEqual({ rows: 0, oldest: null });
    });

    flowOutcomeCases(c);

    if (!durable) return;
    it("keeps edges and applied sequence numbers across close and reopen", async () => {
      const reopen = c.h.reopen;
      if (reopen === undefined) throw new Error("a durable adapter's harness must offer reopen()");
      await c.store.flows.applyBatch("ag1", 7, [
        delta(),
        delta({ outcome: "refused", count: 2 }),
        delta({ bucket: T0 + H, verdict: "would-block", rule: "deny-x", outcome: "unanswered" }),
      ]);
      const before = await c.store.flows.edges();
      const again = await reopen();
      expect(await again.flows.edges()).toEqual(before);
      expect(await again.flows.applyBatch("ag1", 7, [delta()])).toEqual({ duplicate: true });
      expect(await again.flows.applyBatch("ag1", 8, [delta()])).toEqual({ duplicate: false });
      expect((await again.flows.edges({ verdict: "allowed" }))[0]?.count).toBe(4);
      expect((await again.flows.edges({ outcome: "unanswered" }))[0]?.verdict).toBe("would-block");
    });
  });
}
