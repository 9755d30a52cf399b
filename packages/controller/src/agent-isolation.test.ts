// One agent's bad or unstorable write must not fail the other agents whose writes shared its
// transaction (flows/flow-commits.ts, status-batch.ts): it is refused or fails alone, and is
// logged once with a short reason.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Store } from "@microseg/store";
import { openMemoryStore } from "@microseg/store/memory";
import { openSqliteStore } from "@microseg/store/sqlite";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { testController } from "./test-helpers.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function record(count: number): unknown[] {
  const now = Date.now();
  return ["out", "tcp", "198.18.0.10", "198.18.0.20", 443, "allowed", count, 1, 60, now, now];
}

/** Log lines as objects, collected from a pino logger. */
function collectingLog() {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: "info" }, { write: (l: string) => lines.push(JSON.parse(l)) });
  return { log, lines };
}

async function twoAgents(store: Store, log = collectingLog()) {
  const t = await testController({ store, log: log.log });
  const bad = await t.enrol("bad-1", "198.18.0.10");
  const good = await t.enrol("good-1", "198.18.0.11");
  const post = (credential: string, seq: number, records: unknown[]) =>
    t.call("POST", "/api/v1/agent/flows", { seq, records }, credential);
  return { t, bad, good, post, lines: log.lines };
}

describe("flow batches are isolated per agent", () => {
  it("refuses a 1e300 count with 400 naming the field; the other agent's batch is stored", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mseg-iso-"));
    dirs.push(dir);
    const store = openSqliteStore({ dir });
    const { t, bad, good, post } = await twoAgents(store);
    const [refused, stored] = await Promise.all([
      post(bad.credential, 1, [record(1e300)]),
      post(good.credential, 1, [record(3)]),
    ]);
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain("records[0][6]");
    expect(stored.status).toBe(200);
    expect(stored.body).toEqual({ seq: 1, duplicate: false });
    expect(
      (await t.call("GET", "/api/v1/flows")).body.edges.map((e: { count: number }) => e.count),
    ).toEqual([3]);
    await store.close();
  });

  it("retries a failed group commit batch by batch: only the failing agent gets an error", async () => {
    const memory = openMemoryStore();
    let failFor = "";
    const groups: number[] = [];
    const store: Store = {
      ...memory,
      flows: {
        ...memory.flows,
        applyBatches: async (batches) => {
          groups.push(batches.length);
          if (batches.some((b) => b.agentId === failFor)) throw new Error("SQLITE_FULL: disk full");
          return memory.flows.applyBatches(batches);
        },
      },
    };
    const { bad, good, post, lines } = await twoAgents(store);
    failFor = bad.id;
    for (let seq = 1; seq <= 5; seq++) {
      const [failed, acked] = await Promise.all([
        post(bad.credential, 1, [record(1)]),
        post(good.credential, seq, [record(1)]),
      ]);
      expect(failed.status).toBe(500);
      expect(failed.body.error.code).toBe("MSEG_INTERNAL");
      expect(acked.status).toBe(200);
      expect(acked.body).toEqual({ seq, duplicate: false });
    }
    // Each round: the group of two, then each batch alone.
    expect(groups.slice(0, 3)).toEqual([2, 1, 1]);
    const errors = lines.filter((l) => (l.level as number) >= 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ agent: bad.id, reason: "SQLITE_FULL: disk full" });
    expect(JSON.stringify(errors[0])).not.toContain("    at ");
  });

  it("fails only the status report that cannot be stored; the batch's others are answered", async () => {
    const memory = openMemoryStore();
    let failFor = "";
    const store: Store = {
      ...memory,
      agents: {
        ...memory.agents,
        reportMany: async (reports) => {
          if (reports.some((r) => r.id === failFor))
            throw new Error("SQLITE_IOERR: disk I/O error");
          return memory.agents.reportMany(reports);
        },
      },
    };
    const { t, bad, good, lines } = await twoAgents(store);
    failFor = bad.id;
    const status = (credential: string) => t.call("POST", "/api/v1/agent/status", {}, credential);
    for (let i = 0; i < 5; i++) {
      const [failed, answered] = await Promise.all([
        status(bad.credential),
        status(good.credential),
      ]);
      expect(failed.status).toBe(500);
      expect(answered.status).toBe(200);
    }
    const errors = lines.filter((l) => (l.level as number) >= 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ agent: bad.id, reason: "SQLITE_IOERR: disk I/O error" });
  });
});
