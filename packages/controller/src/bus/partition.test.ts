// Partitioning: a source always lands on the same subject (whatever replica computes it and
// whatever else is in the batch), sources spread over the partitions, order within a source holds.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeMessage, encodeMessage } from "./message.js";
import {
  byPartition,
  fnv1a32,
  messageId,
  PARTITIONS,
  partitionOf,
  subjectOf,
} from "./partition.js";

const observation = (from: string, last: number) => ({
  from: { name: from, kind: "workload" as const, managed: true },
  to: { name: "db-1", kind: "workload" as const },
  port: "tcp/5432",
  verdict: "blocked" as const,
  count: 1,
  packets: 1,
  bytes: 60,
  first: last,
  last,
  reporter: "db-1",
  side: "destination" as const,
});

describe("partitions", () => {
  it("FNV-1a is the published function (fixed vectors: every replica agrees)", () => {
    expect(fnv1a32("")).toBe(0x811c9dc5);
    expect(fnv1a32("a")).toBe(0xe40c292c);
    expect(fnv1a32("foobar")).toBe(0xbf9cf968);
    expect(subjectOf(partitionOf("foobar"))).toBe(`microseg.flows.${0xbf9cf968 % PARTITIONS}`);
  });

  it("a source's partition depends on its name only; order within a source is kept", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string(), fc.nat()), { maxLength: 60 }), (rows) => {
        const batch = rows.map(([from, at]) => observation(from, at));
        const parts = byPartition(batch);
        for (const [p, list] of parts) {
          for (const o of list) expect(partitionOf(o.from.name)).toBe(p);
        }
        for (const [from] of rows) {
          const mine = parts.get(partitionOf(from))?.filter((o) => o.from.name === from) ?? [];
          expect(mine.map((o) => o.last)).toEqual(
            batch.filter((o) => o.from.name === from).map((o) => o.last),
          );
        }
        expect([...parts.values()].reduce((n, l) => n + l.length, 0)).toBe(batch.length);
      }),
    );
  });

  it("a thousand sources use every partition, none with more than twice its share", () => {
    const counts = new Array<number>(PARTITIONS).fill(0);
    for (let i = 0; i < 1000; i++) {
      const p = partitionOf(`198.18.${i >> 8}.${i & 255}`);
      counts[p] = (counts[p] ?? 0) + 1;
    }
    expect(Math.min(...counts)).toBeGreaterThan(0);
    expect(Math.max(...counts)).toBeLessThan((2 * 1000) / PARTITIONS);
  });

  it("a message id names the batch and the partition", () => {
    expect(messageId("ag-7/42", 3)).toBe("ag-7/42/3");
    expect(messageId("ag-7/42", 3)).not.toBe(messageId("ag-7/42", 4));
  });

  it("a message carries the ends as name and kind, and `now` as published", () => {
    const data = encodeMessage(1234, [observation("web-1", 9)]);
    const back = decodeMessage(data);
    expect(back?.now).toBe(1234);
    expect(back?.observations[0]?.from).toEqual({ name: "web-1", kind: "workload" });
    expect(decodeMessage(new TextEncoder().encode('{"v":2}'))).toBeUndefined();
    expect(decodeMessage(new TextEncoder().encode("not json"))).toBeUndefined();
  });
});
