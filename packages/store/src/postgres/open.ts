// The PostgreSQL adapter: the engine's rules over a pg pool. Every Store method is one
// transaction on one pooled client (Backend.run). Several controller replicas may share the
// database, so what the synchronous adapters get from running one unit at a time in one process
// is taken from the server here:
// - a unit that may write takes pg_advisory_xact_lock(LOCK_SPACE, WRITE_LOCK) first, so writing
//   units run one after the other across every process on the database. The engine reads then
//   writes (next revision number, audit chain head and seq, a key's use count, an agent's flow
//   seq, address ownership); under READ COMMITTED each statement after the lock sees every unit
//   committed before it, so those reads are current. One lock rather than row locks: the audit
//   chain alone already orders every audited write, and the head is a row that does not exist
//   until it is written.
// - a unit that only reads runs REPEATABLE READ READ ONLY: one snapshot, no lock, never waits
//   for a writer.
// The lock is released at COMMIT or ROLLBACK, so a process that dies mid-unit frees it.

import { createStore } from "../engine/create-store.js";
import type { Backend, EngineContext } from "../engine/tables.js";
import type { Store } from "../port.js";
import { type Pg, pg } from "./driver.js";
import { currentVersion, LOCK_SPACE, migrate } from "./migrate.js";
import { pgTables } from "./pg-tables.js";
import { sqlOn } from "./sql.js";

export const WRITE_LOCK = 1;

export interface PostgresStoreOptions {
  /** postgres://user:password@host:port/database (see node-postgres for the parameters). */
  readonly url: string;
  readonly clock?: () => Date;
  /** Pooled connections (default 10): concurrent reads; writes queue on the write lock. */
  readonly maxConnections?: number;
  /** Test hook: called at named steps inside a unit of work; throwing aborts the unit. */
  readonly failpoint?: (step: string) => void;
  /** Seals audit entries (HMAC-SHA256); the key lives outside the database (audit-chain.ts). */
  readonly auditKey?: Uint8Array;
}

/** Connects, migrates (once across replicas: migrate.ts) and answers the store. */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const ctx = engineContext(options);
  const pool = newPool(options);
  try {
    const client = await pool.connect();
    const ignore = () => {}; // a failure rejects the migration's query (see run below)
    client.on("error", ignore);
    let version: number;
    try {
      await migrate(client, ctx.clock());
      version = await currentVersion(client);
    } finally {
      client.off("error", ignore);
      client.release();
    }
    return createStore(postgresBackend(pool, version), ctx);
  } catch (err) {
    await pool.end();
    throw err;
  }
}

export function engineContext(options: PostgresStoreOptions): EngineContext {
  return {
    clock: options.clock ?? (() => new Date()),
    ...(options.failpoint && { failpoint: options.failpoint }),
    ...(options.auditKey && { auditKey: options.auditKey }),
  };
}

export function newPool(options: Pick<PostgresStoreOptions, "url" | "maxConnections">): Pg.Pool {
  const pool = new pg.Pool({ connectionString: options.url, max: options.maxConnections ?? 10 });
  // An idle client's connection dropping (server restart) must not crash the process; the next
  // unit gets a fresh connection.
  pool.on("error", () => {});
  return pool;
}

/** Exported for tests that open a second store over an already migrated database. */
export function postgresBackend(pool: Pg.Pool, version: number): Backend {
  let open = true;
  return {
    name: "postgres",
    shared: true,
    async run(fn, kind = "write") {
      const client = await pool.connect();
      let broken: Error | undefined;
      // pg emits `error` on a client whose connection fails (server restart, terminated backend,
      // network cut); the pool listens only while a client is idle, and an unheard `error` ends
      // the process. Held here, the failure fails this unit (its query rejects) and the pool
      // drops the connection on release.
      const onError = (e: Error) => {
        broken = e;
      };
      client.on("error", onError);
      try {
        if (kind === "read") {
          await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        } else {
          await client.query("BEGIN");
          await client.query("SELECT pg_advisory_xact_lock($1, $2)", [LOCK_SPACE, WRITE_LOCK]);
        }
        const out = await fn(pgTables(sqlOn(client)));
        await client.query("COMMIT");
        return out;
      } catch (err) {
        await client.query("ROLLBACK").catch((e: Error) => {
          broken = e; // the connection is unusable: the pool drops it
        });
        throw err;
      } finally {
        client.off("error", onError);
        client.release(broken);
      }
    },
    schemaVersion: () => (open ? version : 0),
    async close() {
      open = false;
      await pool.end();
    },
  };
}
