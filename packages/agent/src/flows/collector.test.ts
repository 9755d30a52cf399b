// The collector's flush with a fake conntrack feed and recorded nft listings: aggregation per
// interval, side from the host's addresses, test-mode reclassification, loss into `dropped`.

import { readFileSync } from "node:fs";
import { checkFlowBatch, type FlowTuple, MAX_FLOW_COUNTER } from "@microseg/protocol/agent";
import { describe, expect, it } from "vitest";
import { FlowAggregator } from "./aggregator.js";
import { FlowCollector } from "./collector.js";
import type { ConntrackEvent } from "./conntrack-line.js";

const recorded = (name: string) =>
  readFileSync(new URL(`testdata/${name}`, import.meta.url), "utf8");
const SERVER = new Set(["198.18.0.1", "2001:2::1"]);
const quiet = { warn: () => {}, error: () => {} };

function harness(events: ConntrackEvent[][], listing: () => string | undefined, lost = 0) {
  const batches: { records: readonly FlowTuple[]; dropped: number }[] = [];
  let now = 10_000;
  const collector = new FlowCollector({
    feed: { take: () => events.shift() ?? [], takeLost: async () => lost },
    readTable: async () => listing(),
    localAddresses: () => SERVER,
    buffer: {
      append: async (records, dropped = 0) => {
        batches.push({ records, dropped });
        return { seq: batches.length, records };
      },
    },
    now: () => (now += 1000),
    log: quiet,
  });
  return { collector, batches };
}

const conn = (o: Partial<ConntrackEvent>): ConntrackEvent => ({
  type: "new",
  protocol: 6,
  src: "198.18.0.2",
  dst: "198.18.0.1",
  port: 80,
  packets: 0,
  bytes: 0,
  replied: false,
  reset: false,
  ...o,
});

describe("FlowAggregator", () => {
  it("sums the same key, verdict and outcome, keeps the earliest first and latest last time", () => {
    const agg = new FlowAggregator();
    const base = {
      side: "in" as const,
      proto: "tcp",
      local: "a",
      remote: "b",
      port: 80,
      verdict: "allowed" as const,
      outcome: "established" as const,
    };
    agg.add({ ...base, count: 1, packets: 0, bytes: 0, firstMs: 5, lastMs: 5 });
    agg.add({ ...base, count: 1, packets: 3, bytes: 90, firstMs: 2, lastMs: 9 });
    agg.add({ ...base, outcome: "refused", count: 1, packets: 2, bytes: 9, firstMs: 4, lastMs: 4 });
    agg.add({ ...base, verdict: "blocked", count: 2, packets: 2, bytes: 1, firstMs: 1, lastMs: 1 });
    expect(agg.drain()).toEqual([
      ["in", "tcp", "a", "b", 80, "allowed", 2, 3, 90, 2, 9, "established"],
      ["in", "tcp", "a", "b", 80, "allowed", 1, 2, 9, 4, 4, "refused"],
      ["in", "tcp", "a", "b", 80, "blocked", 2, 2, 1, 1, 1, "established"],
    ]);
    expect(agg.drain()).toEqual([]);
  });

  it("drains records the controller accepts: counters capped, first not after last", () => {
    const agg = new FlowAggregator();
    const big = MAX_FLOW_COUNTER;
    const base = {
      side: "out",
      proto: "tcp",
      local: "fd::1",
      remote: "fd::2",
      port: 9,
      outcome: "unanswered",
    } as const;
    agg.add({
      ...base,
      verdict: "allowed",
      count: 1,
      packets: big,
      bytes: big,
      firstMs: 7,
      lastMs: 3,
    });
    agg.add({
      ...base,
      verdict: "allowed",
      count: 1,
      packets: 5,
      bytes: big,
      firstMs: 7,
      lastMs: 3,
    });
    const records = agg.drain();
    expect(records).toEqual([
      ["out", "tcp", "fd::1", "fd::2", 9, "allowed", 2, big, big, 3, 3, "unanswered"],
    ]);
    expect(checkFlowBatch({ seq: 1, records }).ok).toBe(true);
  });
});

describe("FlowCollector.flush", () => {
  it("reports allowed connections per side and port, with traffic from DESTROY", async () => {
    const { collector, batches } = harness(
      [
        [
          conn({ atMs: 100, id: 1 }),
          conn({ atMs: 200, id: 2 }),
          conn({ atMs: 300, id: 3, src: "198.18.0.1", dst: "198.18.0.9", port: 443 }),
          conn({ atMs: 400, id: 4, src: "198.18.0.7", dst: "198.18.0.8" }), // not ours
          conn({ type: "update", atMs: 101, id: 1, replied: true }),
          conn({ type: "update", atMs: 201, id: 2, replied: true }),
          conn({ type: "update", atMs: 301, id: 3, replied: true }),
          conn({ type: "destroy", atMs: 500, id: 1, packets: 7, bytes: 383, replied: true }),
        ],
      ],
      () => undefined,
    );
    await collector.flush();
    expect(batches).toEqual([
      {
        dropped: 0,
        records: [
          [
            "in",
            "tcp",
            "198.18.0.1",
            "198.18.0.2",
            80,
            "allowed",
            2,
            7,
            383,
            100,
            500,
            "established",
          ],
          [
            "out",
            "tcp",
            "198.18.0.1",
            "198.18.0.9",
            443,
            "allowed",
            1,
            0,
            0,
            300,
            300,
            "established",
          ],
        ],
      },
    ]);
  });

  it("writes nothing for an empty interval", async () => {
    const { collector, batches } = harness([[]], () => undefined);
    await collector.flush();
    expect(batches).toEqual([]);
  });

  it("enforce: the deny set's attempts become blocked records next to allowed ones", async () => {
    const { collector, batches } = harness([[conn({ atMs: 1, id: 1 })]], () =>
      recorded("nft-enforce.json"),
    );
    await collector.flush();
    const records = batches[0]?.records ?? [];
    expect(records.find((r) => r[5] === "allowed")).toEqual(
      expect.arrayContaining(["in", "tcp", "198.18.0.1", "198.18.0.2", 80]),
    );
    expect(records.filter((r) => r[5] === "blocked").map((r) => `${r[1]}/${r[4]}`)).toEqual(
      expect.arrayContaining(["tcp/81", "icmp/8", "47/0", "tcp/80"]),
    );
  });

  it("test mode: a would-be-blocked connection is would-block, never allowed", async () => {
    const wb = { port: 81 };
    const { collector, batches } = harness(
      [
        [
          conn({ ...wb, id: 9 }),
          conn({ id: 10 }),
          conn({ ...wb, type: "update", id: 9, replied: true }),
          conn({ type: "update", id: 10, replied: true }),
        ],
        [conn({ ...wb, type: "destroy", id: 9, packets: 6, bytes: 400, replied: true })],
      ],
      () => recorded("nft-test.json"),
    );
    await collector.flush();
    await collector.flush();
    const all = batches.flatMap((b) => b.records);
    const port81 = all.filter((r) => r[4] === 81 && r[1] === "tcp");
    expect(port81.map((r) => r[5])).toEqual(["would-block", "would-block"]);
    expect(port81[0]?.[6]).toBe(1); // the connection, from conntrack (the set only classifies)
    expect(port81[1]?.slice(6, 9)).toEqual([0, 6, 400]); // its traffic at DESTROY
    expect(all.find((r) => r[4] === 80 && r[1] === "tcp" && r[3] === "198.18.0.2")?.[5]).toBe(
      "allowed",
    );
  });

  it("puts lost events into the batch's dropped, also with no records", async () => {
    const { collector, batches } = harness([[]], () => undefined, 42);
    await collector.flush();
    expect(batches).toEqual([{ records: [], dropped: 42 }]);
  });

  it("reads the table at every flush with connections, else only every idleReadMs", async () => {
    let reads = 0;
    let now = 0;
    const events: ConntrackEvent[][] = [[], [], [conn({ id: 1 })], [], []];
    const collector = new FlowCollector({
      feed: { take: () => events.shift() ?? [], takeLost: async () => 0 },
      readTable: async () => {
        reads += 1;
        return undefined;
      },
      localAddresses: () => SERVER,
      buffer: { append: async (records) => ({ seq: 1, records }) },
      idleReadMs: 5000,
      now: () => (now += 1000),
      log: quiet,
    });
    const flushes: number[] = [];
    for (let i = 0; i < 5; i++) {
      await collector.flush();
      flushes.push(reads);
    }
    // first flush reads (never read before); the one with an event reads, and the next ones
    // while its connection is held (2 s per flush here: resolved at the 5th); idle ones wait 5 s
    expect(flushes).toEqual([1, 1, 2, 3, 4]);
  });

  it("keeps collecting connections when the table cannot be read", async () => {
    const answered = conn({ type: "update", id: 1, replied: true });
    const { collector, batches } = harness([[conn({ id: 1 }), answered]], () => {
      throw new Error("nft: permission denied");
    });
    await collector.flush();
    expect(batches[0]?.records).toHaveLength(1);
  });
});
