// Two controller processes on one PostgreSQL database and one 3-node NATS cluster (all real,
// throwaway), driven over HTTP as agents and an operator would: the replica that detects is
// killed with SIGKILL mid-scan; the other takes the lease over and the scan stays one alert,
// counting the contacts sent after the kill.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { describeWithPostgres, startPostgres, type TestPostgres } from "@microseg/store/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithNats, startNatsCluster, type TestNatsCluster } from "./nats-testing.js";
import { blockedAttempts, DB } from "./scan.test-helpers.js";

const SCANNER = "203.0.113.77";

interface Replica {
  readonly url: string;
  readonly adminToken: string | null;
  readonly child: ChildProcess;
}

async function call(base: string, method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  const json = res.headers.get("content-type")?.includes("json") === true;
  return { status: res.status, text, body: json ? JSON.parse(text) : undefined };
}

async function until(check: () => Promise<boolean>, limitMs: number): Promise<void> {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > limitMs) throw new Error(`not within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describeWithPostgres("controller processes on a flow bus", () => {
  describeWithNats("the detecting replica killed", () => {
    let pg: TestPostgres;
    let nats: TestNatsCluster;
    const children: ChildProcess[] = [];
    const dir = mkdtempSync(join(tmpdir(), "mseg-bus-proc-"));
    beforeAll(async () => {
      pg = await startPostgres();
      nats = await startNatsCluster();
    }, 90_000);
    afterAll(async () => {
      for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
      await nats?.stop();
      await pg?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    async function replica(name: string, store: string): Promise<Replica> {
      const child = spawn(
        process.execPath,
        [
          "--conditions=source",
          "--import",
          "tsx",
          join(import.meta.dirname, "replica.child.ts"),
          join(dir, name),
          join(dir, "audit.key"),
          store,
          nats.urls.join(","),
        ],
        { stdio: ["ignore", "pipe", "inherit"] },
      );
      children.push(child);
      const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
      const first = await new Promise<string>((resolve, reject) => {
        lines.once("line", resolve);
        child.once("exit", (code) => reject(new Error(`replica ${name} exited ${code}`)));
      });
      const ready = JSON.parse(first) as { url: string; adminToken: string | null };
      return { ...ready, child };
    }

    it("SIGKILL of the lease holder mid-scan: one alert, every port counted", async () => {
      const store = await pg.createDatabase("procs");
      const a = await replica("a", store);
      const token = a.adminToken as string;
      const held = async (r: Replica) =>
        /microseg_lease_held\{lease="detection"\} 1/.test(
          (await call(r.url, "GET", "/metrics", token)).text,
        );
      await until(() => held(a), 10_000);
      const b = await replica("b", store);
      // An agent for db-1, enrolled through A.
      const profile = await call(a.url, "POST", "/api/v1/enrol-profiles", token, {
        name: "db",
        labels: { role: "db" },
        mode: "enforce",
      });
      const enrol = await call(a.url, "POST", "/api/v1/enrol", "", {
        key: profile.body.key,
        hostname: "db-1",
        interfaces: [{ name: "eth0", addresses: [DB] }],
      });
      expect(enrol.status, enrol.text).toBe(201);
      const credential = enrol.body.credential as string;
      let seq = 0;
      const contacts = async (via: Replica, ports: readonly number[]) => {
        const at = Date.now();
        const records = blockedAttempts(SCANNER, ports, at);
        const r = await call(via.url, "POST", "/api/v1/agent/flows", credential, {
          seq: ++seq,
          records,
        });
        expect(r.status, r.text).toBe(200);
      };
      const scans = async () => {
        const r = await call(b.url, "GET", `/api/v1/alerts?kind=scan&source=${SCANNER}`, token);
        return r.body.alerts as { id: string; evidence: { ports?: string[] } }[];
      };
      const ports = async () => (await scans())[0]?.evidence.ports?.length ?? 0;

      for (let p = 0; p < 20; p += 2) await contacts(p % 4 === 0 ? a : b, [4000 + p, 4001 + p]);
      await until(async () => (await ports()) === 20, 10_000);
      const [before] = await scans();
      await contacts(b, [4020, 4021]);
      a.child.kill("SIGKILL");
      const t0 = Date.now();
      await until(() => held(b), 10_000);
      const takeover = Date.now() - t0;
      for (let p = 22; p < 40; p += 2) await contacts(b, [4000 + p, 4001 + p]);
      await until(async () => (await ports()) === 40, 15_000);
      const after = await scans();
      expect(after).toHaveLength(1);
      expect(after[0]?.id).toBe(before?.id);
      console.log(`SIGKILL of the detector -> lease held by the other replica: ${takeover} ms`);
    }, 120_000);
  });
});
