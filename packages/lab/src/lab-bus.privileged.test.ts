// Two controller replicas on one PostgreSQL database and a NATS JetStream bus (a throwaway
// 3-node cluster): `lab up --replicas 2 --store … --bus …`. The replicas reach the cluster from
// the controller namespace through the lab's relays only, so what is asserted here crosses them:
// one replica holds the detection lease, the replicas publish the lab's flows to the stream, and a
// scan from a lab host is one alert (detected on the lease holder from the bus).
import { createTransport } from "@microseg/client";
import {
  describeWithNats,
  startNatsCluster,
  type TestNatsCluster,
} from "@microseg/controller/testing";
import { describePrivileged } from "@microseg/nft/testing";
import { describeWithPostgres, startPostgres, type TestPostgres } from "@microseg/store/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type LabApiTarget, labApi, labAttack, labDown, labUp, readState } from "./index.js";
import { isRelay } from "./relay.js";
import { eventually, scenario, tempStateDir } from "./testing/lab-fixtures.js";
import { connectMany, replicaApi } from "./testing/replica-fixtures.js";
import { labNamespaces } from "./topology.js";

const dir = tempStateDir();
let pg: TestPostgres | undefined;
let nats: TestNatsCluster | undefined;

/** A replica's Prometheus text (GET /metrics with the admin token). */
async function metrics(api: LabApiTarget): Promise<string> {
  const res = await createTransport({ baseUrl: api.url, ca: api.caPem, timeoutMs: 5000 })({
    method: "GET",
    path: "/metrics",
    token: api.token,
  });
  if (res.status !== 200) throw new Error(`GET /metrics: HTTP ${res.status}`);
  return res.text;
}

/** The value of the first sample `pattern` matches, 0 when none does. */
function sample(text: string, pattern: RegExp): number {
  const m = pattern.exec(text);
  return m === null ? 0 : Number(m[1]);
}

const LEASE = /^microseg_lease_held\{lease="detection"\} (\d+)$/m;
const STORED = /^microseg_bus_publishes_total\{outcome="stored"\} (\d+)$/m;
const apis = () => [0, 1].map((i) => replicaApi(dir, i));
const each = async (re: RegExp) =>
  (await Promise.all(apis().map(metrics))).map((text) => sample(text, re));

describeWithPostgres("lab: two replicas on a NATS JetStream bus", () => {
  describeWithNats("bus", () => {
    describePrivileged("lab up --bus", () => {
      beforeAll(async () => {
        nats = await startNatsCluster();
        pg = await startPostgres();
        const store = await pg.createDatabase("lab");
        await labDown({ dir });
        await labUp(scenario("replicas"), { dir, replicas: 2, store, bus: [...nats.urls] });
      }, 90_000);
      afterAll(async () => {
        await labDown({ dir });
        await pg?.stop();
        await nats?.stop();
        expect(await labNamespaces()).toEqual([]);
      }, 30_000);

      it("records the bus and two running relays per server", () => {
        const state = readState(dir);
        expect(state?.bus).toEqual(nats?.urls);
        expect(state?.busRelays).toHaveLength(6);
        expect(state?.busRelays?.every(isRelay)).toBe(true);
      });

      it("exactly one replica holds the detection lease", async () => {
        await eventually(
          async () => (await each(LEASE)).reduce((a, b) => a + b, 0) === 1,
          20_000,
          "one detection lease holder",
        );
        expect((await each(LEASE)).sort()).toEqual([0, 1]);
      }, 30_000);

      it("the lab's flows are published to the bus", async () => {
        const sum = async () => (await each(STORED)).reduce((a, b) => a + b, 0);
        const before = await sum();
        expect(await connectMany(dir, "web", "app", 8000, 10)).toBe(10);
        await eventually(async () => (await sum()) > before, 20_000, "bus publishes grow", 250);
      }, 30_000);

      it("a scan from a lab host is one alert, detected from the bus", async () => {
        const report = await labAttack({
          kind: "scan",
          from: "web",
          to: ["db"],
          ports: "1-200",
          dir,
        });
        expect(report.attempts).toBe(200);
        const scans = async (api: LabApiTarget) =>
          (await labApi<{ alerts: unknown[] }>(api, "GET", "/api/v1/alerts?kind=scan&source=web"))
            .alerts;
        const [first, second] = apis() as [LabApiTarget, LabApiTarget];
        await eventually(async () => (await scans(first)).length > 0, 20_000, "a scan alert", 250);
        await new Promise((r) => setTimeout(r, 2000)); // a second detector would have raised by now
        expect((await scans(first)).length).toBe(1);
        expect((await scans(second)).length).toBe(1);
      }, 40_000);
    });
  });
});
