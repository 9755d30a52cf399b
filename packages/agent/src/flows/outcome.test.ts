// What the network answered each connection: the collector's hold (outcome-hold.ts) fed with
// conntrack events and refused-set listings, on a fake clock.

import { endianness } from "node:os";
import type { FlowTuple } from "@microseg/protocol/agent";
import { describe, expect, it } from "vitest";
import { parseRecordingListing, refusedId } from "./attempt-sets.js";
import { FlowCollector } from "./collector.js";
import type { ConntrackEvent } from "./conntrack-line.js";
import { OutcomeHold } from "./outcome-hold.js";

const SERVER = new Set(["198.18.0.1", "2001:2::1"]);
const quiet = { warn: () => {}, error: () => {} };

const conn = (o: Partial<ConntrackEvent>): ConntrackEvent => ({
  type: "new",
  protocol: 6,
  src: "198.18.0.1",
  dst: "198.18.0.2",
  port: 80,
  packets: 0,
  bytes: 0,
  replied: false,
  reset: false,
  ...o,
});

/** ct id as nft lists it in a mark-typed set (network byte order read as a host integer). */
const asListed = (id: number) => refusedId(id); // the swap is its own inverse

function refusedListing(ids: number[]): string {
  return JSON.stringify({
    nftables: [
      { table: { family: "inet", name: "microseg" } },
      {
        set: {
          family: "inet",
          table: "microseg",
          name: "flow-refused-v4",
          type: "mark",
          elem: ids.map((id) => ({ elem: { val: asListed(id), counter: { packets: 1 } } })),
        },
      },
      {
        set: { family: "inet", table: "microseg", name: "flow-refused-v6", type: "mark", elem: [] },
      },
    ],
  });
}

/** A collector on a clock that moves only when told; every flush is 1 s after the last. */
function harness(o: { listing?: () => string | undefined; available?: boolean } = {}) {
  const queued: ConntrackEvent[][] = [];
  const records: FlowTuple[] = [];
  let now = 1_000_000;
  const collector = new FlowCollector({
    feed: {
      take: () => queued.shift() ?? [],
      takeLost: async () => 0,
      available: () => o.available ?? true,
    },
    readTable: async () => o.listing?.(),
    localAddresses: () => SERVER,
    buffer: {
      append: async (r) => {
        records.push(...r);
        return { seq: 1, records: r };
      },
    },
    now: () => now,
    log: quiet,
  });
  return {
    records,
    at: (ms: number) => ms + 1_000_000,
    /** Queues `events` and flushes at now + stepMs. */
    async flush(events: ConntrackEvent[] = [], stepMs = 1000) {
      now += stepMs;
      queued.push(events);
      await collector.flush();
    },
    stop: () => collector.stop(),
  };
}

const outcomeCounts = (records: FlowTuple[]) => {
  const out: Record<string, number> = {};
  for (const r of records) out[`${r[5]}/${r[11]}`] = (out[`${r[5]}/${r[11]}`] ?? 0) + r[6];
  return out;
};

describe("connection outcomes", () => {
  it("a reply makes the connection established, reported at once", async () => {
    const h = harness();
    await h.flush([
      conn({ id: 1, atMs: h.at(500) }),
      conn({ type: "update", id: 1, replied: true }),
    ]);
    expect(h.records).toEqual([
      [
        "out",
        "tcp",
        "198.18.0.1",
        "198.18.0.2",
        80,
        "allowed",
        1,
        0,
        0,
        h.at(500),
        h.at(500),
        "established",
      ],
    ]);
  });

  it("a reset (DESTROY in CLOSE, never replied) is refused, with its traffic", async () => {
    const h = harness();
    await h.flush([
      conn({ id: 2, atMs: h.at(900) }),
      conn({ type: "destroy", id: 2, atMs: h.at(901), reset: true, packets: 2, bytes: 100 }),
    ]);
    expect(h.records.map((r) => [r[6], r[7], r[8], r[11]])).toEqual([[1, 2, 100, "refused"]]);
  });

  it("an ICMP error's refused id resolves the connection before the hold ends", async () => {
    const refused: number[] = [];
    const h = harness({ listing: () => refusedListing(refused) });
    await h.flush([conn({ id: 3_000_000_001, protocol: 17, port: 53, atMs: h.at(950) })]);
    expect(h.records).toEqual([]); // held: no answer yet
    refused.push(3_000_000_001);
    await h.flush();
    expect(h.records.map((r) => [r[1], r[6], r[11]])).toEqual([["udp", 1, "refused"]]);
  });

  it("nothing for the hold time (3 s): unanswered; a later answer does not count it again", async () => {
    const h = harness();
    await h.flush([conn({ id: 4, protocol: 17, port: 9999, atMs: h.at(1000) })]);
    await h.flush();
    await h.flush();
    expect(h.records).toEqual([]);
    await h.flush(); // 3 s after the NEW
    expect(outcomeCounts(h.records)).toEqual({ "allowed/unanswered": 1 });
    await h.flush([
      conn({ type: "update", id: 4, replied: true }),
      conn({
        type: "destroy",
        id: 4,
        protocol: 17,
        port: 9999,
        replied: true,
        packets: 4,
        bytes: 200,
      }),
    ]);
    expect(outcomeCounts(h.records)).toEqual({ "allowed/unanswered": 1 });
    expect(h.records.at(-1)?.slice(6)).toEqual([0, 4, 200, h.at(5000), h.at(5000), "unanswered"]);
  });

  it("a sweep of 40 closed ports is 40 refused connections, none established", async () => {
    const h = harness();
    const sweep = Array.from({ length: 40 }, (_, i) => [
      conn({ id: 100 + i, port: 1000 + i, atMs: h.at(990) }),
      conn({ type: "destroy", id: 100 + i, port: 1000 + i, reset: true, packets: 2, bytes: 94 }),
    ]).flat();
    await h.flush(sweep);
    expect(h.records).toHaveLength(40);
    expect(outcomeCounts(h.records)).toEqual({ "allowed/refused": 40 });
  });

  it("a dump entry already answered is established; stop() resolves what is still held", async () => {
    const h = harness();
    await h.flush([
      conn({ id: 7, atMs: undefined, replied: true }),
      conn({ id: 8, port: 81, atMs: h.at(1000) }),
    ]);
    expect(outcomeCounts(h.records)).toEqual({ "allowed/established": 1 });
    await h.stop();
    expect(outcomeCounts(h.records)).toEqual({
      "allowed/established": 1,
      "allowed/unanswered": 1,
    });
  });

  it("every connection is counted exactly once, whatever its events' order across flushes", async () => {
    const h = harness();
    const n = 300;
    const batches: ConntrackEvent[][] = [[], [], [], [], []];
    for (let i = 0; i < n; i++) {
      const id = 1000 + i;
      const at = h.at(1000 + (i % 5) * 1000);
      const pick = (k: number) => batches[Math.min(4, (i % 5) + k)] as ConntrackEvent[];
      pick(0).push(conn({ id, port: i, atMs: at }));
      if (i % 3 === 0) pick(i % 2).push(conn({ type: "update", id, replied: true }));
      if (i % 3 === 1) pick(1).push(conn({ type: "destroy", id, port: i, reset: true }));
      if (i % 7 === 0) pick(4).push(conn({ type: "update", id, replied: true })); // late or duplicate
    }
    for (const b of batches) await h.flush(b);
    await h.stop();
    const counts = outcomeCounts(h.records);
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    expect(total).toBe(n);
    expect(counts["allowed/refused"]).toBe(100);
  });

  it("blocked attempts are unanswered; without conntrack would-block attempts come from the set", async () => {
    const listing = JSON.stringify({
      nftables: [
        { table: { family: "inet", name: "microseg" } },
        {
          set: {
            family: "inet",
            table: "microseg",
            name: "flow-wb-in-v4",
            timeout: 120,
            elem: [
              {
                elem: {
                  val: { concat: ["198.18.0.2", "198.18.0.1", 6, 81] },
                  expires: 119,
                  counter: { packets: 2, bytes: 120 },
                },
              },
            ],
          },
        },
        {
          set: {
            family: "inet",
            table: "microseg",
            name: "flow-deny-in-v4",
            timeout: 120,
            elem: [
              {
                elem: {
                  val: { concat: ["198.18.0.2", "198.18.0.1", 6, 22] },
                  expires: 119,
                  counter: { packets: 3, bytes: 180 },
                },
              },
            ],
          },
        },
      ],
    });
    const withFeed = harness({ listing: () => listing });
    await withFeed.flush();
    expect(outcomeCounts(withFeed.records)).toEqual({ "blocked/unanswered": 3 });
    const without = harness({ listing: () => listing, available: false });
    await without.flush();
    expect(outcomeCounts(without.records)).toEqual({
      "blocked/unanswered": 3,
      "would-block/established": 2,
    });
  });
});

describe("refused ids", () => {
  it("reads the sets' keys as the ids conntrack prints (nft lists them byte-swapped on LE)", () => {
    // Recorded: conntrack printed id=1144088037, `nft -j list set` listed val 3848614212.
    if (endianness() === "LE") expect(refusedId(3848614212)).toBe(1144088037);
    const parsed = parseRecordingListing(refusedListing([1144088037, 948279070]));
    expect([...(parsed.refusedIds ?? [])]).toEqual([1144088037, 948279070]);
  });

  it("keeps the ids when the sets were listed terse", () => {
    const terse = JSON.stringify({
      nftables: [{ set: { family: "inet", table: "microseg", name: "flow-refused-v4" } }],
    });
    expect(parseRecordingListing(terse).refusedIds).toBeUndefined();
  });
});

describe("OutcomeHold", () => {
  const pending = {
    side: "out" as const,
    proto: "udp",
    local: "a",
    remote: "b",
    port: 1,
    verdict: "allowed" as const,
    count: 1,
    packets: 0,
    bytes: 0,
    firstMs: 0,
    lastMs: 0,
  };

  it("is bounded: past its size the oldest is resolved at once", () => {
    const hold = new OutcomeHold(3000, 2);
    const none = new Set<number>();
    expect(hold.hold(1, pending, 0, none)).toEqual([]);
    expect(hold.hold(2, pending, 0, none)).toEqual([]);
    expect(hold.hold(3, pending, 0, new Set([1]))).toEqual([{ ...pending, outcome: "refused" }]);
    expect(hold.size).toBe(2);
    expect(hold.answered(1)).toBeUndefined();
  });

  it("counts both connections when an id comes back while still held (a lost DESTROY)", () => {
    const hold = new OutcomeHold(3000);
    const none = new Set<number>();
    hold.hold(9, pending, 0, none);
    expect(hold.hold(9, { ...pending, port: 2 }, 10, none)).toEqual([
      { ...pending, outcome: "unanswered" },
    ]);
    expect(hold.answered(9)).toEqual({ ...pending, port: 2, outcome: "established" });
  });

  it("lets the DESTROY traffic of an unanswered connection join the unanswered record", () => {
    const hold = new OutcomeHold(3000);
    const none = new Set<number>();
    hold.hold(5, pending, 0, none);
    expect(hold.due(3000, none)).toEqual([{ ...pending, outcome: "unanswered" }]);
    expect(hold.ended({ id: 5, replied: true, reset: false }, none)).toEqual({
      outcome: "unanswered",
    });
    // Gone: a later DESTROY of a reused id is decided from its own line.
    expect(hold.ended({ id: 5, replied: true, reset: false }, none)).toEqual({
      outcome: "established",
    });
  });
});
