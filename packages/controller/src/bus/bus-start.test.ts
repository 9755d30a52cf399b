// `microseg controller --bus …` through startController: URLs that are not nats://HOST:PORT are
// a usage error, a bus nobody answers on is MSEG_BUS_UNAVAILABLE before anything listens, and a
// real cluster gets its flow stream and the detector's consumer at start.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { afterAll, describe, expect, it } from "vitest";
import { startController } from "../main.js";
import { DETECTOR, STREAM } from "./flow-bus.js";
import { describeWithNats, startNatsCluster } from "./nats-testing.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const start = (bus: string[]) => {
  const dataDir = mkdtempSync(join(tmpdir(), "mseg-ctl-bus-"));
  dirs.push(dataDir);
  return startController({ dataDir, listen: "127.0.0.1:0", http: true, log: "silent", bus });
};

describe("controller --bus", () => {
  it("refuses a URL that is not nats://HOST:PORT", async () => {
    await expect(start(["http://127.0.0.1:4222"])).rejects.toMatchObject({ code: "MSEG_USAGE" });
    await expect(start([" , "])).rejects.toMatchObject({ code: "MSEG_USAGE" });
  });

  it("fails to start when no server of the bus answers", async () => {
    await expect(start(["nats://127.0.0.1:1"])).rejects.toMatchObject({
      code: "MSEG_BUS_UNAVAILABLE",
      message: expect.stringContaining("nats://127.0.0.1:1"),
    });
  });
});

describeWithNats("controller --bus on a cluster", () => {
  it("makes the stream (3 replicas) and the detector's consumer", async () => {
    const cluster = await startNatsCluster();
    try {
      const ctl = await start([cluster.urls.join(",")]);
      const nc = await connect({ servers: [cluster.urls[1] as string] });
      const jsm = await jetstreamManager(nc);
      expect((await jsm.streams.info(STREAM)).config.num_replicas).toBe(3);
      expect((await jsm.consumers.info(STREAM, DETECTOR)).config.durable_name).toBe(DETECTOR);
      await nc.close();
      await ctl.close();
    } finally {
      await cluster.stop();
    }
  }, 60_000);
});
