// The flow bus on a real 3-node nats-server cluster: the stream is replicated three times, a
// batch's observations land on the subject of their source's partition, a batch published twice
// is stored once, and the durable consumer hands each message to its target once it is acked.
import type { FlowObservation } from "@microseg/insight";
import { obs } from "@microseg/insight/testing";
import { jetstreamManager } from "@nats-io/jetstream";
import pino from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { DetectionTarget } from "./consumer.js";
import { FlowBus, STREAM } from "./flow-bus.js";
import { describeWithNats, startNatsCluster, type TestNatsCluster } from "./nats-testing.js";
import { partitionOf, subjectOf } from "./partition.js";

const log = pino({ level: "silent" });

/** A target that keeps what it was given. */
function collector() {
  const got: { observations: readonly FlowObservation[]; now: number }[] = [];
  const target: DetectionTarget = {
    ingest: (observations, now) => got.push({ observations, now }),
    flush: async () => {},
  };
  return { got, target };
}

async function until(done: () => boolean, limitMs: number): Promise<void> {
  const t0 = Date.now();
  while (!done()) {
    if (Date.now() - t0 > limitMs) throw new Error(`not within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describeWithNats("flow bus on a 3-node JetStream cluster", () => {
  let cluster: TestNatsCluster;
  beforeAll(async () => {
    cluster = await startNatsCluster();
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it("makes a stream of 3 replicas, partitions by source, stores a retried batch once", async () => {
    const bus = await FlowBus.connect({ servers: [cluster.urls[0] as string], log });
    const other = await FlowBus.connect({ servers: [cluster.urls[2] as string], log });
    try {
      expect(bus.replicas).toBe(3);
      expect(other.replicas).toBe(3);
      const batch = [
        obs("198.18.9.9", "web-1", "tcp/22", 1000),
        obs("198.18.9.8", "web-1", "tcp/22", 1001),
        obs("198.18.9.9", "web-2", "tcp/23", 1002),
      ];
      await bus.publish("ag-1/1", batch, 5000);
      // The agent's retry reached the other replica: the same ids, nothing stored twice.
      await other.publish("ag-1/1", batch, 5001);
      const jsm = await jetstreamManager(bus.nc);
      const info = await jsm.streams.info(STREAM, { subjects_filter: ">" });
      const parts = new Set([partitionOf("198.18.9.9"), partitionOf("198.18.9.8")]);
      expect(info.state.messages).toBe(parts.size);
      expect(Object.keys(info.state.subjects ?? {}).sort()).toEqual(
        [...parts].map(subjectOf).sort(),
      );
      const { got, target } = collector();
      const consumer = bus.consume(target);
      await until(() => consumer.acked === parts.size, 10_000);
      await consumer.stop();
      const seen = got.flatMap((g) => g.observations.map((o) => `${o.from.name}>${o.to.name}`));
      expect(seen.sort()).toEqual(["198.18.9.8>web-1", "198.18.9.9>web-1", "198.18.9.9>web-2"]);
      expect(got.every((g) => g.now === 5000)).toBe(true);
      // Acked: a second consumer on the durable gets nothing of it again.
      const again = collector();
      const second = other.consume(again.target);
      await new Promise((r) => setTimeout(r, 1500));
      await second.stop();
      expect(again.got).toEqual([]);
    } finally {
      await bus.close();
      await other.close();
    }
  }, 60_000);

  it("publishing a batch waits for the 3 replicas: 200 batches, latencies printed", async () => {
    const bus = await FlowBus.connect({ servers: cluster.urls, log });
    try {
      const ms: number[] = [];
      for (let i = 0; i < 200; i++) {
        const batch = Array.from({ length: 50 }, (_, j) =>
          obs(`198.18.7.${j}`, "db-1", `tcp/${i}`, i),
        );
        const t0 = performance.now();
        await bus.publish(`ag-9/${i}`, batch, i);
        ms.push(performance.now() - t0);
      }
      ms.sort((x, y) => x - y);
      const at = (q: number) => (ms[Math.floor(q * (ms.length - 1))] as number).toFixed(1);
      console.log(
        `bus publish, 50 observations in 16 partitions: p50 ${at(0.5)} ms, p99 ${at(0.99)} ms`,
      );
      const jsm = await jetstreamManager(bus.nc);
      const parts = new Set(Array.from({ length: 50 }, (_, j) => partitionOf(`198.18.7.${j}`)));
      expect((await jsm.streams.info(STREAM)).state.messages).toBeGreaterThanOrEqual(
        200 * parts.size,
      );
    } finally {
      await bus.close();
    }
  }, 60_000);
});
