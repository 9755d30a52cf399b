// The PostgreSQL adapter when the server ends a connection a unit of work holds (a restart, an
// administrator's pg_terminate_backend, a proxy or network cut): pg emits `error` on that client,
// and with no listener the whole controller process would die. The unit must fail instead, and
// the next one get a fresh connection.
import { afterAll, beforeAll, expect, it } from "vitest";
import { pg } from "./postgres/driver.js";
import { newPool, openPostgresStore, postgresBackend } from "./postgres/open.js";
import { describeWithPostgres, startPostgres, type TestPostgres } from "./testing.js";

let server: TestPostgres;

async function terminateOthers(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
    );
    return r.rowCount ?? 0;
  } finally {
    await client.end();
  }
}

describeWithPostgres("PostgreSQL adapter: a connection ended under a unit of work", () => {
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("fails that unit, keeps the process, and the next unit works on a new connection", async () => {
    const url = await server.createDatabase("outage");
    await (await openPostgresStore({ url })).close();
    const pool = newPool({ url });
    const backend = postgresBackend(pool, 1);
    let ended = 0;
    const unit = backend.run(async () => {
      ended = await terminateOthers(url);
      await new Promise((r) => setTimeout(r, 200)); // the client hears of it while it is held
      return "committed";
    }, "read");
    await expect(unit).rejects.toThrow();
    expect(ended).toBe(1);
    expect(await backend.run(async () => "next", "read")).toBe("next");
    await backend.close();
  });
});
