// Two controllers on one PostgreSQL database and one 3-node NATS JetStream cluster (both real,
// throwaway): flows ingested through either replica reach the one detector, the holder of the
// `detection` lease. A scan split over the replicas is one alert; the detector killed mid-scan
// hands over without losing or doubling it; a NATS server restarted during ingest loses nothing.
import type { Store } from "@microseg/store";
import { openPostgresStore } from "@microseg/store/postgres";
import { describeWithPostgres, startPostgres, type TestPostgres } from "@microseg/store/testing";
import pino from "pino";
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { testController } from "../test-helpers.js";
import type { BusDetection } from "./bus-detection.js";
import { FlowBus } from "./flow-bus.js";
import { describeWithNats, startNatsCluster, type TestNatsCluster } from "./nats-testing.js";
import { blockedAttempts, DB } from "./scan.test-helpers.js";

const SCANNER = "203.0.113.66";
const log = pino({ level: "silent" });

type T = Awaited<ReturnType<typeof testController>>;
const detector = (t: T) => t.detection as BusDetection;
interface Alert {
  id: string;
  kind: string;
  source: string;
  count: number;
  evidence: { ports?: string[]; seen?: { ports: number } };
}

describeWithPostgres("detection across replicas on a flow bus", () => {
  describeWithNats("with a 3-node NATS cluster", () => {
    let pg: TestPostgres;
    let nats: TestNatsCluster;
    let n = 0;
    const open: { stores: Store[]; controllers: T[]; buses: FlowBus[] } = {
      stores: [],
      controllers: [],
      buses: [],
    };
    beforeAll(async () => {
      pg = await startPostgres();
    }, 60_000);
    beforeEach(async () => {
      nats = await startNatsCluster();
    }, 60_000);
    afterEach(async () => {
      // A replica that was made to die has a closed store: what fails on it is ignored.
      const quietly = (p: Promise<unknown> | undefined) => p?.catch(() => {});
      for (const t of open.controllers.splice(0)) {
        await quietly(t.follower?.stop());
        t.ctx.hub.close();
        await quietly(t.detection.close());
        await quietly(t.ctx.agentEvents.close());
        await quietly(t.ctx.leases.close());
      }
      for (const b of open.buses.splice(0)) await b.close();
      for (const s of open.stores.splice(0)) await quietly(s.close());
      await nats?.stop();
    });
    afterAll(async () => {
      await pg?.stop();
    });

    /** Replicas A (the first detector) and B, each on its own NATS server; db-1 enrolled. */
    async function replicas() {
      const url = await pg.createDatabase(`bus${++n}`);
      const replica = async (server: number) => {
        const store = await openPostgresStore({ url });
        open.stores.push(store);
        const bus = await FlowBus.connect({
          servers: [nats.urls[server] as string],
          log,
          ackWaitMs: 2_000,
        });
        open.buses.push(bus);
        // A dead holder's lease is free after 2 s; the others ask every 300 ms.
        const t = await testController({
          store,
          bus,
          leaseTimings: { ttlMs: 2_000, renewMs: 300 },
        });
        open.controllers.push(t);
        return { t, store };
      };
      const { t: a, store: storeA } = await replica(0);
      await until(async () => detector(a).current !== undefined, 5_000);
      const { t: b } = await replica(1);
      const db = await a.enrol("db-1", DB, { role: "db" });
      let seq = 0;
      /** db-1's agent reports blocked attempts from SCANNER on these ports, through `via`. */
      const contacts = async (via: T, ports: readonly number[]) => {
        const at = Date.now();
        const records = blockedAttempts(SCANNER, ports, at);
        const r = await via.call(
          "POST",
          "/api/v1/agent/flows",
          { seq: ++seq, records },
          db.credential,
        );
        expect(r.status, r.text).toBe(200);
      };
      const scans = async (): Promise<Alert[]> => {
        const r = await b.call("GET", "/api/v1/alerts?limit=100", undefined, a.token);
        return (r.body.alerts as Alert[]).filter((x) => x.kind === "scan");
      };
      /** A dies: it acknowledges, stores and renews nothing more (its store is gone). */
      const kill = async () => {
        await detector(a).crash();
        await storeA.close();
      };
      return { a, b, kill, contacts, scans };
    }

    const seen = (a: Alert | undefined) => a?.evidence.seen?.ports ?? a?.evidence.ports?.length;

    it("a scan whose contacts come half through A and half through B is one alert", async () => {
      const { a, b, contacts, scans } = await replicas();
      expect(detector(a).current).toBeDefined();
      expect(detector(b).current).toBeUndefined();
      // 40 ports, one batch per two ports, alternating replicas.
      for (let p = 0; p < 40; p += 2) await contacts(p % 4 === 0 ? a : b, [1000 + p, 1001 + p]);
      await until(async () => seen((await scans())[0]) === 40, 10_000);
      const all = await scans();
      expect(all).toHaveLength(1);
      expect(all[0]?.source).toBe(SCANNER);
    }, 60_000);

    it("the detector killed mid-scan: B takes over, the scan stays one alert and counts on", async () => {
      const { a, b, kill, contacts, scans } = await replicas();
      for (let p = 0; p < 20; p += 2) await contacts(p % 4 === 0 ? a : b, [2000 + p, 2001 + p]);
      await until(async () => seen((await scans())[0]) === 20, 10_000);
      const before = (await scans())[0] as Alert;
      // Published but never acked by A: the next detector gets these again.
      await contacts(b, [2020, 2021]);
      await kill();
      await until(async () => detector(b).current !== undefined, 10_000);
      for (let p = 22; p < 40; p += 2) await contacts(b, [2000 + p, 2001 + p]);
      await until(async () => seen((await scans())[0]) === 40, 15_000);
      const after = await scans();
      expect(after).toHaveLength(1);
      expect(after[0]?.id).toBe(before.id);
      expect(after[0]?.count).toBeGreaterThan(before.count);
    }, 60_000);

    it("a NATS server restarted during ingest loses no observation", async () => {
      const { a, b, contacts, scans } = await replicas();
      const posting = (async () => {
        for (let p = 0; p < 60; p += 2) {
          await contacts(p % 4 === 0 ? a : b, [3000 + p, 3001 + p]);
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      await new Promise((r) => setTimeout(r, 400));
      await nats.restart(0); // A's server (and maybe the stream's leader)
      await posting;
      await until(async () => seen((await scans())[0]) === 60, 20_000);
      expect(await scans()).toHaveLength(1);
    }, 90_000);
  });
});

/** Calls `check` every 50 ms until it holds (limitMs at most). */
async function until(check: () => Promise<boolean>, limitMs: number): Promise<void> {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > limitMs) throw new Error(`not within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
