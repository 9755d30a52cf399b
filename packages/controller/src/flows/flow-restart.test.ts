// A controller restart loses no edge: the flow graph and each agent's applied batch sequence live
// in SQLite. Ingest, close, reopen the same directory, read the same edges, and a resent batch
// is still recognised as a duplicate.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStore } from "@microseg/store/sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { testController } from "../test-helpers.js";

let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe("flow graph over SQLite", () => {
  it("survives a controller restart", async () => {
    dir = mkdtempSync(join(tmpdir(), "mseg-flows-"));
    const now = Date.now();
    const t1 = await testController({ store: openSqliteStore({ dir }) });
    const web = await t1.enrol("web-1", "198.18.1.10", { role: "web" });
    await t1.enrol("db-1", "198.18.1.20", { role: "db" });
    const batch = {
      seq: 1,
      records: [
        [
          "out",
          "tcp",
          "198.18.1.10",
          "203.0.113.7",
          443,
          "allowed",
          3,
          9,
          900,
          now - 900,
          now - 100,
        ],
        ["out", "tcp", "198.18.1.10", "198.18.1.20", 22, "blocked", 2, 2, 0, now - 800, now - 200],
      ],
    };
    const post = (t: typeof t1) => t.call("POST", "/api/v1/agent/flows", batch, web.credential);
    expect((await post(t1)).body).toEqual({ seq: 1, duplicate: false });
    const before = (await t1.call("GET", "/api/v1/flows")).body.edges;
    expect(before).toHaveLength(2);
    await t1.store.close();

    const t2 = await testController({ store: openSqliteStore({ dir }) });
    const after = (await t2.call("GET", "/api/v1/flows", undefined, t1.token)).body.edges;
    expect(after).toEqual(before);
    expect((await post(t2)).body).toEqual({ seq: 1, duplicate: true });
    expect((await t2.call("GET", "/api/v1/flows", undefined, t1.token)).body.edges).toEqual(before);
    await t2.store.close();
  });
});
