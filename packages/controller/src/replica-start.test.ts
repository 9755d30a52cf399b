// Controllers started together on one PostgreSQL database (a throwaway server), each with its
// own data directory, as on separate machines: they make the admin token and the CA once and
// present the same ones (start-lock.ts, tls/ensure-tls.ts), and each singleton job runs on one
// of them, moving to the other when it stops (leases.ts).

import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeWithPostgres, startPostgres, type TestPostgres } from "@microseg/store/testing";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { type RunningController, startController } from "./main.js";

const TIMINGS = { ttlMs: 2_000, renewMs: 200 };

function get(c: RunningController, path: string, token: string, ca: string) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      `${c.url}${path}`,
      { ca, headers: { authorization: `Bearer ${token}` } },
      (res) => {
        let body = "";
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

/** lease -> 1 or 0 from microseg_lease_held on `c`'s /metrics. */
async function leasesHeld(c: RunningController, token: string, ca: string) {
  const { body } = await get(c, "/metrics", token, ca);
  const held: Record<string, number> = {};
  for (const m of body.matchAll(/^microseg_lease_held\{lease="([^"]+)"\} (\d)$/gm)) {
    held[m[1] as string] = Number(m[2]);
  }
  return held;
}

describeWithPostgres("controller replicas starting together on one database", () => {
  let server: TestPostgres;
  const dirs: string[] = [];
  const running: RunningController[] = [];
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterEach(async () => {
    for (const c of running.splice(0)) await c.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function startTwo(db: string) {
    const url = await server.createDatabase(db);
    const keyDir = mkdtempSync(join(tmpdir(), "mseg-replica-key-"));
    dirs.push(keyDir);
    // The audit key stays out of the database: every replica is given the same file.
    const auditKeyFile = join(keyDir, "audit.key");
    writeFileSync(auditKeyFile, `${randomBytes(32).toString("hex")}\n`);
    chmodSync(auditKeyFile, 0o600);
    const start = () => {
      const dataDir = mkdtempSync(join(tmpdir(), "mseg-replica-"));
      dirs.push(dataDir);
      return startController({
        dataDir,
        listen: "127.0.0.1:0",
        log: "silent",
        store: url,
        auditKeyFile,
        leaseTimings: TIMINGS,
      }).then((c) => {
        running.push(c);
        return { c, dataDir };
      });
    };
    const [a, b] = await Promise.all([start(), start()]);
    return { a, b, url, auditKeyFile };
  }

  it("make one admin token and one CA, and both accept and present them", async () => {
    const { a, b } = await startTwo("start1");
    const made = [a, b].filter((r) => r.c.adminToken !== undefined);
    expect(made).toHaveLength(1);
    const token = made[0]?.c.adminToken as string;
    const other = made[0] === a ? b : a;
    // Only the maker wrote a token file; the other's data directory has none to mislead.
    expect(readFileSync(join(made[0]?.dataDir as string, "admin.token"), "utf8").trim()).toBe(
      token,
    );
    expect(existsSync(join(other.dataDir, "admin.token"))).toBe(false);
    expect(a.c.caFingerprint).toBe(b.c.caFingerprint);
    expect(readFileSync(join(a.dataDir, "tls", "ca.pem"), "utf8")).toBe(
      readFileSync(join(b.dataDir, "tls", "ca.pem"), "utf8"),
    );
    // Each serves TLS under the shared CA and accepts the one admin token.
    const ca = a.c.caPem as string;
    for (const r of [a, b])
      expect((await get(r.c, "/api/v1/workloads", token, ca)).status).toBe(200);
    expect((await get(b.c, "/api/v1/workloads", "mst_wrong", ca)).status).toBe(401);
  });

  it("refuse a replica whose own CA differs from the shared one", async () => {
    const { a, url, auditKeyFile } = await startTwo("start2");
    const own = mkdtempSync(join(tmpdir(), "mseg-replica-own-"));
    dirs.push(own);
    const alone = await startController({ dataDir: own, listen: "127.0.0.1:0", log: "silent" });
    await alone.close(); // made DATA/tls/ca.* of its own, on SQLite
    await expect(
      startController({
        dataDir: own,
        listen: "127.0.0.1:0",
        log: "silent",
        store: url,
        auditKeyFile,
      }),
    ).rejects.toMatchObject({ code: "MSEG_CA_MISMATCH" });
    expect(a.c.caFingerprint).not.toBeNull();
  });

  it("run each singleton job on one replica, and hand it over when that one stops", async () => {
    const { a, b } = await startTwo("start3");
    const token = (a.c.adminToken ?? b.c.adminToken) as string;
    const ca = a.c.caPem as string;
    const jobs = ["audit-anchors", "flow-retention", "gap-check"];
    let ha: Record<string, number> = {};
    let hb: Record<string, number> = {};
    const deadline = Date.now() + 5_000;
    do {
      ha = await leasesHeld(a.c, token, ca);
      hb = await leasesHeld(b.c, token, ca);
    } while (jobs.some((j) => (ha[j] ?? 0) + (hb[j] ?? 0) !== 1) && Date.now() < deadline);
    for (const j of jobs) expect((ha[j] ?? 0) + (hb[j] ?? 0), j).toBe(1);
    // Stop the replica that prunes flows: the other takes its jobs within a renewal or two.
    const stopped = ha["flow-retention"] === 1 ? a : b;
    const survivor = stopped === a ? b : a;
    await stopped.c.close();
    running.splice(running.indexOf(stopped.c), 1);
    const at = Date.now();
    let hs: Record<string, number> = {};
    while (Date.now() - at < 3_000) {
      hs = await leasesHeld(survivor.c, token, ca);
      if (jobs.every((j) => hs[j] === 1)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(hs).toEqual({ "audit-anchors": 1, "flow-retention": 1, "gap-check": 1 });
    // A clean stop releases its leases: the survivor needs a renewal, not a TTL.
    expect(Date.now() - at).toBeLessThan(TIMINGS.ttlMs);
  });
});
