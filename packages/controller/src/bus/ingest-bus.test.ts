// Ingest with a bus that has lost its quorum: the agent's batch is answered 503
// MSEG_BUS_UNAVAILABLE (the store has committed it); once the cluster is back, the same batch
// sent again is a duplicate for the store and is still published, so detection gets it.
import { jetstreamManager } from "@nats-io/jetstream";
import pino from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { testController } from "../test-helpers.js";
import { FlowBus, STREAM } from "./flow-bus.js";
import { describeWithNats, startNatsCluster, type TestNatsCluster } from "./nats-testing.js";

const DB = "198.18.1.20";
const log = pino({ level: "silent" });

describeWithNats("flow ingest on a bus without quorum", () => {
  let nats: TestNatsCluster;
  beforeAll(async () => {
    nats = await startNatsCluster();
  }, 60_000);
  afterAll(async () => {
    await nats?.stop();
  });

  it("answers 503 while the stream cannot store, publishes the resent duplicate after", async () => {
    const bus = await FlowBus.connect({ servers: nats.urls, log, publishTimeoutMs: 1_500 });
    const t = await testController({ bus });
    try {
      const db = await t.enrol("db-1", DB, { role: "db" });
      const at = Date.now();
      const batch = {
        seq: 1,
        records: [["in", "tcp", DB, "203.0.113.9", 22, "blocked", 1, 1, 60, at, at]],
      };
      await nats.kill(1);
      await nats.kill(2);
      const refused = await t.call("POST", "/api/v1/agent/flows", batch, db.credential);
      expect(refused.status, refused.text).toBe(503);
      expect(refused.body.error.code).toBe("MSEG_BUS_UNAVAILABLE");
      await nats.restart(1);
      // As the agent does: sent again until answered (the stream elects a leader first, which
      // on a loaded machine has taken longer than ten 1.5 s publish timeouts).
      const until = Date.now() + 40_000;
      let again = await t.call("POST", "/api/v1/agent/flows", batch, db.credential);
      while (again.status === 503 && Date.now() < until) {
        again = await t.call("POST", "/api/v1/agent/flows", batch, db.credential);
      }
      expect(again.status, again.text).toBe(200);
      expect(again.body.duplicate).toBe(true);
      const jsm = await jetstreamManager(bus.nc);
      expect((await jsm.streams.info(STREAM)).state.messages).toBe(1);
      // This controller detects (nobody else holds the lease): it takes the message.
      const consumed = /^microseg_bus_consumed_messages_total 1$/m;
      let metrics = "";
      // The consumer's own leader is elected again after the restart: on a loaded machine that
      // has taken more than 10 s.
      for (let i = 0; i < 400 && !consumed.test(metrics); i++) {
        await new Promise((r) => setTimeout(r, 100));
        metrics = (await t.call("GET", "/metrics")).text;
      }
      expect(metrics).toMatch(consumed);
      expect(metrics).toMatch(/^microseg_bus_publishes_total\{outcome="stored"\} 1$/m);
      expect(metrics).toMatch(/^microseg_bus_publishes_total\{outcome="failed"\} [1-9]\d*$/m);
    } finally {
      await t.detection.close();
      await t.ctx.leases.close();
      await bus.close();
    }
  }, 120_000);
});
