// `microseg controller --store postgres://…`: the controller keeps its state in PostgreSQL (a
// throwaway server), makes no SQLite file, and a second start on the same database finds it.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DB_FILE } from "@microseg/store/sqlite";
import { describeWithPostgres, startPostgres, type TestPostgres } from "@microseg/store/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startController } from "./main.js";

describeWithPostgres("controller --store postgres://", () => {
  let server: TestPostgres;
  const dirs: string[] = [];
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), "mseg-ctl-pg-"));
    dirs.push(d);
    return d;
  };

  it("keeps workloads and the audit chain in the database across a restart", async () => {
    const url = await server.createDatabase("ctl");
    const dataDir = tempDir();
    const start = () =>
      startController({ dataDir, listen: "127.0.0.1:0", http: true, store: url, log: "silent" });
    const first = await start();
    const token = first.adminToken;
    expect(token).toBeDefined();
    const call = (base: string, method: string, path: string, body?: unknown) =>
      fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
    const put = await call(first.url, "PUT", "/api/v1/workloads/db-1", {
      labels: { role: "db" },
      addresses: ["198.18.1.20"],
    });
    expect(put.status).toBeLessThan(300);
    await first.close();
    expect(existsSync(join(dataDir, DB_FILE))).toBe(false);

    const second = await start();
    expect(second.adminToken).toBeUndefined(); // made by the first start, kept in PostgreSQL
    const got = await call(second.url, "GET", "/api/v1/workloads/db-1");
    expect(got.status).toBe(200);
    const verdict = (await (await call(second.url, "GET", "/api/v1/audit/verify")).json()) as {
      ok?: boolean;
    };
    expect(verdict.ok).toBe(true);
    await second.close();
  });

  it("refuses a --store that is not a PostgreSQL URL", async () => {
    await expect(
      startController({
        dataDir: tempDir(),
        listen: "127.0.0.1:0",
        http: true,
        store: "mysql://x",
      }),
    ).rejects.toMatchObject({ code: "MSEG_USAGE" });
  });
});
