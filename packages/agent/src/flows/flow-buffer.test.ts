// The on-disk flow buffer: order, restart, bounds and drop counting (real files in a temp dir).

import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FlowTuple } from "@microseg/protocol/agent";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FlowBuffer } from "./flow-buffer.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "mseg-flowbuf-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const record = (i: number): FlowTuple => [
  "out",
  "tcp",
  "198.18.0.1",
  `198.18.${i >> 8}.${i & 255}`,
  443,
  "allowed",
  1,
  0,
  0,
  1_795_961_997_986,
  1_795_961_997_986,
];
const records = (n: number, from = 0) => Array.from({ length: n }, (_, i) => record(from + i));

describe("FlowBuffer", () => {
  it("numbers batches from 1 and hands them out oldest first", async () => {
    const buffer = await FlowBuffer.open(dir);
    expect((await buffer.append(records(2))).seq).toBe(1);
    expect((await buffer.append(records(3))).seq).toBe(2);
    expect((await buffer.oldest())?.records).toHaveLength(2);
    await buffer.acknowledge(1);
    expect((await buffer.oldest())?.seq).toBe(2);
    await buffer.acknowledge(2);
    expect(await buffer.oldest()).toBeUndefined();
  });

  it("keeps unacknowledged batches and the sequence across a restart", async () => {
    const first = await FlowBuffer.open(dir);
    await first.append(records(1));
    await first.append(records(1));
    await first.acknowledge(1);
    const second = await FlowBuffer.open(dir);
    expect(second.pending).toBe(1);
    expect((await second.oldest())?.seq).toBe(2);
    await second.acknowledge(2);
    const third = await FlowBuffer.open(dir);
    expect((await third.append(records(1))).seq).toBe(3);
  });

  it("drops the oldest batches when full and counts their records in the next batch", async () => {
    const one = JSON.stringify({ seq: 1, records: records(100, 300), dropped: 105 }).length;
    const buffer = await FlowBuffer.open(dir, { maxBytes: Math.round(one * 3.5) });
    for (let i = 0; i < 3; i++) await buffer.append(records(100, i * 100), i === 0 ? 5 : 0);
    const fourth = await buffer.append(records(100, 300));
    expect(fourth.dropped).toBe(105); // batch 1's 100 records and the 5 it carried
    expect(buffer.pending).toBe(3);
    expect((await buffer.oldest())?.seq).toBe(2);
    expect(buffer.bytes).toBeLessThanOrEqual(Math.round(one * 3.5));
    const files = (await readdir(join(dir, "flows"))).filter((f) => f.startsWith("batch-"));
    expect(files).toHaveLength(3);
  });

  it("never drops the batch being sent", async () => {
    const one = JSON.stringify({ seq: 1, records: records(100) }).length;
    const buffer = await FlowBuffer.open(dir, { maxBytes: one * 2 + 100 });
    await buffer.append(records(100));
    await buffer.append(records(100));
    expect((await buffer.oldest())?.seq).toBe(1); // now in flight
    const third = await buffer.append(records(100));
    expect(third.dropped).toBe(100);
    expect((await buffer.oldest())?.seq).toBe(1);
    await buffer.acknowledge(1);
    expect((await buffer.oldest())?.seq).toBe(3);
  });

  it("counts drops made just before a restart in the next batch", async () => {
    const buffer = await FlowBuffer.open(dir);
    await buffer.append(records(4));
    await buffer.discard(1);
    const again = await FlowBuffer.open(dir);
    expect(again.dropped).toBe(4);
    expect(await again.append(records(1))).toMatchObject({ seq: 2, dropped: 4 });
  });

  it("removes an unreadable batch file and goes on", async () => {
    const buffer = await FlowBuffer.open(dir);
    await buffer.append(records(1));
    await writeFile(join(dir, "flows", "batch-000000000002.json"), "{not json");
    const warnings: string[] = [];
    const again = await FlowBuffer.open(dir, { log: { warn: (_o, m) => warnings.push(m) } });
    expect(again.pending).toBe(1);
    expect(warnings).toEqual(["unreadable flow batch removed"]);
    expect((await again.append(records(1))).seq).toBe(3);
  });
});
