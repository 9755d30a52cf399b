// The Store contract on a real PostgreSQL server (a throwaway cluster for this file, a database
// per test copied from a migrated template), plus what only a shared server has: two stores on
// one database, as two controller replicas, and flow edge partitions.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeContract } from "./contract.js";
import { createStore } from "./engine/create-store.js";
import { SCHEMA_VERSION } from "./engine/tables.js";
import type { Store } from "./port.js";
import { type Pg, pg } from "./postgres/driver.js";
import { partitionDays } from "./postgres/flow-tables.js";
import { engineContext, newPool, openPostgresStore, postgresBackend } from "./postgres/open.js";
import { PG_MIGRATIONS } from "./postgres/schema.js";
import { sqlOn } from "./postgres/sql.js";
import type { AuditEntry } from "./records.js";
import { verifyChain } from "./shared/chain-walk.js";
import { auditFromRow, auditToRow } from "./sqlite/rows.js";
import {
  describeWithPostgres,
  failpointSwitch,
  fakeClock,
  type StoreHarness,
  startPostgres,
  TEST_AUDIT_KEY,
  type TestPostgres,
} from "./testing.js";

const TEMPLATE = "mseg_template";
let server: TestPostgres;
let databases = 0;

let next: Promise<string> | undefined;

/**
 * A fresh database holding the migrated schema. Copying the template takes ~150 ms, about what a
 * test takes: the next test's copy is made while this one runs.
 */
async function freshDatabase(): Promise<string> {
  const make = () => server.createDatabase(`t${++databases}`, TEMPLATE);
  const url = await (next ?? make());
  next = make();
  next.catch(() => {}); // the last one may outlive the server; the test that takes it sees it
  return url;
}

async function withClient<T>(url: string, fn: (c: Pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const AUDIT_COLUMNS = "seq at actor action target before after prev_hash hash".split(" ");

async function auditRows(url: string): Promise<AuditEntry[]> {
  return withClient(url, async (c) =>
    (await c.query("SELECT * FROM audit_log ORDER BY seq")).rows.map((r) => auditFromRow(r)),
  );
}

/** As someone holding the database but not the key could: triggers dropped, rows rewritten. */
async function replaceAuditRows(url: string, entries: readonly AuditEntry[]): Promise<void> {
  await withClient(url, async (c) => {
    await c.query("DROP TRIGGER IF EXISTS audit_log_no_update ON audit_log");
    await c.query("DROP TRIGGER IF EXISTS audit_log_no_delete ON audit_log");
    await c.query("BEGIN");
    await c.query("DELETE FROM audit_log");
    for (const e of entries) {
      const row = auditToRow(e);
      await c.query(
        `INSERT INTO audit_log (${AUDIT_COLUMNS.join(", ")}) VALUES (${AUDIT_COLUMNS.map((_, i) => `$${i + 1}`).join(", ")})`,
        AUDIT_COLUMNS.map((k) => row[k]),
      );
    }
    await c.query("COMMIT");
  });
}

describeWithPostgres("PostgreSQL adapter", () => {
  beforeAll(async () => {
    server = await startPostgres();
    const url = await server.createDatabase(TEMPLATE);
    await (await openPostgresStore({ url })).close();
  }, 60_000);
  afterAll(async () => {
    await next?.catch(() => {});
    await server?.stop();
  });

  storeContract(
    "postgres",
    async (clock): Promise<StoreHarness> => {
      const url = await freshDatabase();
      const fp = failpointSwitch();
      const others: Store[] = [];
      // The database is migrated (a copy of the template): a store opens without a round trip.
      const open = (auditKey: Uint8Array | undefined): Store => {
        const options = {
          url,
          clock: clock.now,
          failpoint: fp.failpoint,
          maxConnections: 4,
          ...(auditKey !== undefined && { auditKey }),
        };
        return createStore(
          postgresBackend(newPool(options), SCHEMA_VERSION),
          engineContext(options),
        );
      };
      let store = open(TEST_AUDIT_KEY);
      return {
        get store() {
          return store;
        },
        failAt: fp.failAt,
        withKey: (key) => {
          const other = open(key);
          others.push(other);
          return other;
        },
        tamper: {
          rows: () => auditRows(url),
          replaceRows: (entries) => replaceAuditRows(url, entries),
        },
        reopen: async () => {
          await store.close();
          store = await openPostgresStore({
            url,
            clock: clock.now,
            failpoint: fp.failpoint,
            auditKey: TEST_AUDIT_KEY,
          });
          return store;
        },
        dispose: async () => {
          for (const o of others) await o.close();
          await store.close();
        },
      };
    },
    { durable: true },
  );

  describe("replicas on one database", () => {
    it("two stores provisioning and enrolling at once never share a revision number, and keep one audit chain", async () => {
      const url = await freshDatabase();
      const clock = fakeClock();
      const open = () => openPostgresStore({ url, clock: clock.now, auditKey: TEST_AUDIT_KEY });
      const [a, b] = await Promise.all([open(), open()]);
      await a.audit.startKeyed("setup");
      const key = "k".repeat(64);
      await a.enrolment.create(
        { id: "p", name: "p", keyHash: key, labels: { app: "x" }, mode: "test", maxUses: 15 },
        "setup",
      );
      const work = (s: Store, who: string) =>
        Array.from({ length: 12 }, async (_, i) => {
          await s.policy.saveDraft(
            { name: `${who}-${i}`, text: `${who}: ${i}`, parsed: null, parsedVersion: 1 },
            who,
          );
          await s.policy.provision({ draft: `${who}-${i}`, comment: `${who} ${i}` }, who);
          await s.agents.enrol({
            keyHash: key,
            now: clock.now(),
            agentId: `${who}-${i}`,
            credentialHash: `${who}${i}`.padEnd(64, "0"),
            hostname: `${who}-${i}`,
            interfaces: [],
            workload: `${who}-${i}`,
            addresses: [],
          });
        });
      await Promise.all([...work(a, "a"), ...work(b, "b")]);
      const history = await a.policy.history();
      expect(history).toHaveLength(24);
      expect(new Set(history.map((r) => r.number)).size).toBe(24);
      expect(history.map((r) => r.number).sort((x, y) => x - y)).toEqual(
        Array.from({ length: 24 }, (_, i) => i + 1),
      );
      expect((await a.enrolment.get("p"))?.uses).toBe(15);
      expect(await a.agents.list()).toHaveLength(15);
      const rows = await auditRows(url);
      const verdict = verifyChain(rows, { key: TEST_AUDIT_KEY });
      expect(verdict).toMatchObject({ ok: true, count: rows.length });
      expect(await b.audit.verify()).toMatchObject({ ok: true, count: rows.length });
      // The change stream of both stores: one gapless sequence, the revisions in commit order.
      const changes = await b.changes.after(0, 1000);
      expect(changes.map((c) => c.seq)).toEqual(changes.map((_, i) => i + 1));
      const revisions = changes.filter((c) => c.kind === "revision").map((c) => Number(c.key));
      expect(revisions).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
      expect(changes.filter((c) => c.kind === "workload")).toHaveLength(15);
      await Promise.all([a.close(), b.close()]);
    });

    it("two stores opening an empty database together migrate it once", async () => {
      const url = await server.createDatabase(`empty${++databases}`);
      const stores = await Promise.all([openPostgresStore({ url }), openPostgresStore({ url })]);
      const versions = await withClient(url, async (c) =>
        (await c.query("SELECT version FROM schema_migrations")).rows.map((r) => r.version),
      );
      expect(versions).toEqual(PG_MIGRATIONS.map((m) => m.version));
      expect(versions.at(-1)).toBe(SCHEMA_VERSION);
      for (const s of stores) expect((await s.info()).schemaVersion).toBe(SCHEMA_VERSION);
      await Promise.all(stores.map((s) => s.close()));
    });
  });

  describe("flow edge partitions", () => {
    const DAY = 24 * 3600_000;
    const day0 = Date.UTC(2026, 0, 1);
    const delta = (bucket: number, from: string) => ({
      bucket,
      from,
      fromKind: "workload" as const,
      to: "db",
      toKind: "workload" as const,
      port: "tcp/5432",
      verdict: "allowed" as const,
      rule: null,
      count: 1,
      packets: 1,
      bytes: 60,
      first: bucket,
      last: bucket + 1000,
    });

    it("creates a partition per day written, and prune drops whole days and trims the one it cuts", async () => {
      const url = await freshDatabase();
      // Two replicas: one prunes a day the other has written into before.
      const [a, b] = await Promise.all([openPostgresStore({ url }), openPostgresStore({ url })]);
      const buckets = [day0, day0 + 3600_000, day0 + DAY, day0 + DAY + 7200_000, day0 + 2 * DAY];
      await a.flows.applyBatch(
        "ag",
        1,
        buckets.map((t, i) => delta(t, `w${i}`)),
      );
      const days = () => withClient(url, (c) => partitionDays(sqlOn(c)));
      expect(await days()).toEqual([day0, day0 + DAY, day0 + 2 * DAY]);
      // Everything of day 0, and the first hour of day 1's rows: 3 rows.
      expect(await b.flows.prune(day0 + DAY + 3600_000)).toBe(3);
      expect(await days()).toEqual([day0 + DAY, day0 + 2 * DAY]);
      expect(await a.flows.stats()).toEqual({ rows: 2, oldest: day0 + DAY + 7200_000 });
      // A day pruned away comes back when written again, by the replica that wrote it first.
      await a.flows.applyBatch("ag", 2, [delta(day0 + 600_000, "late")]);
      expect(await days()).toEqual([day0, day0 + DAY, day0 + 2 * DAY]);
      expect((await a.flows.edges({ from: "late" })).map((e) => e.count)).toEqual([1]);
      await Promise.all([a.close(), b.close()]);
    });
  });
});
