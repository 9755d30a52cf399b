// The running agent's lifecycle duties, in process (fake controller over real HTTP, fake nft):
// DIR/status.json, the maintenance token hash from status answers, the stop report (sanctioned
// or tamper) and the outbox that carries it over an unreachable controller to the next start.
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NftDriver } from "@microseg/nft";
import { createFakeNft } from "@microseg/nft/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RunningAgent, startAgent } from "./agent.js";
import { createControllerClient } from "./controller-client.js";
import { createHttpTransport } from "./http-transport.js";
import { openWindow, readMaintenanceHash, tokenHash } from "./lifecycle/maintenance.js";
import { readOutbox } from "./lifecycle/outbox.js";
import type { AgentStatusFile } from "./lifecycle/status-file.js";
import { readAgentStatus } from "./lifecycle/status-view.js";
import { controllerChannel } from "./management.js";
import { openStateStore } from "./state-store.js";
import {
  type FakeController,
  memoryLog,
  serverRuleSet,
  startFakeController,
} from "./testing/index.js";

const mgmt = { v4: ["127.0.0.1/32"], v6: [] };
const rs1 = serverRuleSet({ v4: ["198.18.0.2/32"], v6: [] }, [80]);

let dir: string;
const running: RunningAgent[] = [];
const controllers: FakeController[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "mseg-agent-life-"));
});
afterEach(async () => {
  for (const a of running.splice(0)) await a.stop();
  for (const c of controllers.splice(0)) await c.close();
  await rm(dir, { recursive: true, force: true });
});

async function controller(port = 0) {
  const c = await startFakeController({ port });
  controllers.push(c);
  return c;
}

async function agent(url: string, enrolKey: string | undefined = "key-1") {
  const fake = createFakeNft();
  const a = await startAgent(
    {
      controller: url,
      enrolKey,
      beforePolicy: "deny",
      heartbeatMs: 100,
      waitS: 1,
      batchMs: 10,
      tamperMs: 50,
    },
    {
      store: await openStateStore(dir),
      driverFor: (management, managementAccess) =>
        new NftDriver({ management, managementAccess, allowRootNamespace: true, exec: fake.exec }),
      controllerHosts: ["127.0.0.1"],
      controllerChannel: controllerChannel(url),
      pinCa: async () => undefined,
      connect: (ca, credential) =>
        createControllerClient(createHttpTransport({ baseUrl: url, ca }), credential),
      hostFacts: () => ({ hostname: "host-1", interfaces: [{ name: "eth0", addresses: [] }] }),
      log: memoryLog().log,
    },
  );
  running.push(a);
  return a;
}

async function statusFile(): Promise<AgentStatusFile> {
  return JSON.parse(await readFile(join(dir, "status.json"), "utf8")) as AgentStatusFile;
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
    expect((await stat(join(dir, "status.json"))).mode & 0o777).toBe(0o600);
    const view = await readAgentStatus(dir);
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
    const view = await readAgentStatus(dir);
    expect([view.running, view.ok]).toEqual([true, false]);
    await a.stop();
  });
});

describe("maintenance token hash", () => {
  it("is kept on disk when a status answer carries one", async () => {
    const c = await controller();
    await agent(c.url);
    await c.waitForStatus(() => true);
    expect(await readMaintenanceHash(dir)).toBeUndefined();
    c.setMaintenanceHash(tokenHash("msm_abc"));
    const kept = await until(
      () => readMaintenanceHash(dir),
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
    await openWindow(dir, 30, new Date());
    await b.stop();
    expect(await b.reportStop()).toBe("sent");
    expect(kinds(c)).toContain("stopped: stopped (maintenance)");
    expect(await readOutbox(dir)).toEqual([]);
  });

  it("waits at most about 2 s, queues the stop on disk, and the next start delivers it", async () => {
    const c = await controller();
    const port = c.port;
    const a = await agent(c.url);
    await c.waitForStatus(() => true);
    await c.close();
    controllers.splice(0);
    await a.stop();
    const t0 = performance.now();
    expect(await a.reportStop()).toBe("unreachable");
    expect(performance.now() - t0).toBeLessThan(2500);
    expect((await readOutbox(dir)).map((e) => e.details)).toEqual([
      "stopped without maintenance token",
    ]);

    const back = await controller(port);
    await agent(back.url, undefined);
    await back.waitForStatus((s) =>
      (s.events ?? []).some((e) => e.details === "stopped without maintenance token"),
    );
    await until(readOutbox.bind(null, dir), (events) => events.length === 0);
  });
});
