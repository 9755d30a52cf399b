// The running agent's lifecycle duties, in process (fake controller over real HTTP, fake nft):
// DIR/status.json, the maintenance token hash from status answers, the stop report (sanctioned
// or tamper) and the outbox that carries it over an unreachable controller to the next start.
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { createFakeNft } from "@microseg/nft/testing";
import { describe, expect, it } from "vitest";
import { startAgent } from "./agent.js";
import { openWindow, readMaintenanceHash, tokenHash } from "./lifecycle/maintenance.js";
import { readOutbox } from "./lifecycle/outbox.js";
import type { AgentStatusFile } from "./lifecycle/status-file.js";
import { readAgentStatus } from "./lifecycle/status-view.js";
import { FAST, testDeps, useAgentBed } from "./testing/agent-bed.js";
import {
  type FakeController,
  memoryLog,
  serverRuleSet,
  startFakeController,
} from "./testing/index.js";

const mgmt = { v4: ["127.0.0.1/32"], v6: [] };
const rs1 = serverRuleSet({ v4: ["198.18.0.2/32"], v6: [] }, [80]);

const bed = useAgentBed("mseg-agent-life-");

async function controller(port = 0) {
  const c = await startFakeController({ port });
  bed.controllers.push(c);
  return c;
}

async function agent(url: string, enrolKey: string | undefined = "key-1") {
  const exec = createFakeNft().exec;
  const deps = await testDeps({ dir: bed.dir, url, exec, log: memoryLog().log, addresses: [] });
  const a = await startAgent({ ...FAST, controller: url, enrolKey }, deps);
  bed.running.push(a);
  return a;
}

async function statusFile(): Promise<AgentStatusFile> {
  return JSON.parse(await readFile(join(bed.dir, "status.json"), "utf8")) as AgentStatusFile;
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read().catch(() => undefined as T);
    if (v !== undefined && ok(v)) return v;
    if (Date.now() > end) throw new Error(`not reached in ${ms} ms: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const kinds = (c: FakeController) =>
  c.statuses.flatMap((s) => (s.events ?? []).map((e) => `${e.kind}: ${e.details}`));

describe("the running agent's status file", () => {
  it("is written with pid, reachability, the policy in force and resource use", async () => {
    const c = await controller();
    const a = await agent(c.url);
    c.setPolicy({ revision: 1, ruleSet: rs1, management: mgmt });
    const f = await until(statusFile, (s) => s.policy?.revision === 1 && s.lastApply !== null);
    expect(f).toMatchObject({
      version: 1,
      pid: process.pid,
      heartbeatSeconds: 0.1,
      controller: { url: c.url, reachable: true, lastError: null },
      policy: { revision: 1, hash: rs1.hash, source: "controller" },
      lastApply: { ok: true, revision: 1, hash: rs1.hash },
      drift: { restores: 0 },
      flows: { enabled: false, batches: 0 },
    });
    expect(f.resources.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(f.resources.cpuSeconds).toBeGreaterThan(0);
    expect((await stat(join(bed.dir, "status.json"))).mode & 0o777).toBe(0o600);
    const view = await readAgentStatus(bed.dir);
    expect([view.enrolled, view.running, view.controllerReachable, view.ok]).toEqual([
      true,
      true,
      true,
      true,
    ]);
    // Rewritten every heartbeat period.
    const before = f.writtenAt;
    await until(statusFile, (s) => s.writtenAt !== before, 1000);
    await a.stop();
  });

  it("is written while the controller is unreachable, saying so", async () => {
    const a = await agent("http://127.0.0.1:9");
    const f = await until(statusFile, (s) => s.controller.reachable === false);
    expect(f.controller.lastError).toMatch(/ECONNREFUSED/);
    expect(f.policy?.source).toBe("before-policy");
    const view = await readAgentStatus(bed.dir);
    expect([view.running, view.ok]).toEqual([true, false]);
    await a.stop();
  });
});

describe("maintenance token hash", () => {
  it("is kept on disk when a status answer carries one", async () => {
    const c = await controller();
    await agent(c.url);
    await c.waitForStatus(() => true);
    expect(await readMaintenanceHash(bed.dir)).toBeUndefined();
    c.setMaintenanceHash(tokenHash("msm_abc"));
    const kept = await until(
      () => readMaintenanceHash(bed.dir),
      (h) => h?.hash === tokenHash("msm_abc"),
    );
    expect(kept?.receivedAt).toMatch(/^\d{4}-/);
  });
});

describe("the stop report", () => {
  it("is tampering without a maintenance window and sanctioned within one", async () => {
    const c = await controller();
    const a = await agent(c.url);
    await c.waitForStatus(() => true);
    await a.stop();
    expect(await a.reportStop()).toBe("sent");
    expect(kinds(c)).toContain("tamper: stopped without maintenance token");

    const b = await agent(c.url);
    await c.waitForStatus(() => true);
    await openWindow(bed.dir, 30, new Date());
    await b.stop();
    expect(await b.reportStop()).toBe("sent");
    expect(kinds(c)).toContain("stopped: stopped (maintenance)");
    expect(await readOutbox(bed.dir)).toEqual([]);
  });

  it("waits at most about 2 s, queues the stop on disk, and the next start delivers it", async () => {
    const c = await controller();
    const port = c.port;
    const a = await agent(c.url);
    await c.waitForStatus(() => true);
    await c.close();
    bed.controllers.splice(0);
    await a.stop();
    const t0 = performance.now();
    expect(await a.reportStop()).toBe("unreachable");
    expect(performance.now() - t0).toBeLessThan(2500);
    expect((await readOutbox(bed.dir)).map((e) => e.details)).toEqual([
      "stopped without maintenance token",
    ]);

    const back = await controller(port);
    await agent(back.url, undefined);
    await back.waitForStatus((s) =>
      (s.events ?? []).some((e) => e.details === "stopped without maintenance token"),
    );
    await until(readOutbox.bind(null, bed.dir), (events) => events.length === 0);
  });
});
