import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createFakeNft } from "@microseg/nft/testing";
import type { FlowTuple } from "@microseg/protocol/agent";
import { describe, expect, it } from "vitest";
import { type AgentDeps, startAgent } from "./agent.js";
import { controllerUrls } from "./controller-urls.js";
import { controllerTransport } from "./failover-transport.js";
import { FlowBuffer, type FlowCollection, FlowSender } from "./flows/index.js";
import { controllerAddresses } from "./management.js";
import { openStateStore } from "./state-store.js";
import { FAST, testDeps, useAgentBed } from "./testing/agent-bed.js";
import { type MemoryLog, memoryLog, serverRuleSet, startFakeController } from "./testing/index.js";

const mgmt = { v4: ["127.0.0.1/32"], v6: [] };
const rs1 = serverRuleSet({ v4: ["198.18.0.2/32"], v6: [] }, [80]);
const rs2 = serverRuleSet({ v4: ["198.18.0.3/32"], v6: [] }, [80]);
const record: FlowTuple = [
  "out",
  "tcp",
  "198.18.0.1",
  "198.18.0.2",
  443,
  "allowed",
  1,
  0,
  0,
  1_795_961_997_986,
  1_795_961_997_986,
];

const bed = useAgentBed("mseg-failover-");

async function controller(keys = ["key-1"]) {
  const c = await startFakeController({
    keys,
    policy: { revision: 1, ruleSet: rs1, management: mgmt },
  });
  bed.controllers.push(c);
  return c;
}

/** A URL nothing listens on (a port that was free a moment ago). */
async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** Flow collection without conntrack: a batch every 25 ms into a real buffer, a real sender. */
function flowsEvery25ms(logs: MemoryLog): NonNullable<AgentDeps["flows"]> {
  return async (send) => {
    const buffer = await FlowBuffer.open(bed.dir);
    const sender = new FlowSender({ buffer, send, log: logs.log, idleMs: 20 });
    sender.start();
    let appending = Promise.resolve();
    const timer = setInterval(() => {
      appending = appending.then(async () => {
        await buffer.append([record]);
        sender.kick();
      });
    }, 25);
    const stop = async () => {
      clearInterval(timer);
      await appending;
      await sender.stop();
    };
    return { buffer, sender, stop } as unknown as FlowCollection;
  };
}

async function agent(controller: string, o: { enrolKey?: string; flows?: boolean } = {}) {
  const logs = memoryLog();
  const urls = controllerUrls(controller);
  const deps = await testDeps({
    dir: bed.dir,
    url: controller,
    exec: createFakeNft().exec,
    log: logs.log,
    controllerHosts: await controllerAddresses(controller),
    transport: (ca) => controllerTransport(urls, { ca }, logs.log),
  });
  const a = await startAgent(
    { ...FAST, controller, enrolKey: o.enrolKey ?? "key-1" },
    { ...deps, ...(o.flows === true && { flows: flowsEvery25ms(logs) }) },
  );
  bed.running.push(a);
  return { a, logs };
}

async function until(what: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const failovers = (logs: MemoryLog) =>
  logs.records.filter((r) => String(r.msg).startsWith("controller failover"));

describe("agent with two controllers", () => {
  it("fails over when the first stops: policy keeps applying, flow seqs have no gap", async () => {
    const [c1, c2] = [await controller(), await controller()] as const;
    const { a, logs } = await agent(`${c1.url},${c2.url}`, { flows: true });
    await c1.waitForStatus((s) => s.applied?.revision === 1 && s.applied.ok);
    await until(() => c1.flows.length >= 3);
    expect(c2.requests).toEqual([]);

    const stopped = Date.now();
    await c1.close();
    c2.setPolicy({ revision: 2, ruleSet: rs2, management: mgmt });
    await c2.waitForStatus((s) => s.applied?.revision === 2 && s.applied.ok);
    const tookMs = Date.now() - stopped;
    // Within the first backoff step (≤ 500 ms) and a heartbeat: no full round had to wait.
    expect(tookMs).toBeLessThan(1500);
    expect(a.dataplane.enforced).toMatchObject({ revision: 2, source: "controller" });
    expect(a.dataplane.enforced?.ruleSet.hash).toBe(rs2.hash);

    await until(() => c2.flows.length >= 3);
    await a.stop();
    const seqs = [...c1.flows, ...c2.flows].map((b) => b.seq);
    const max = Math.max(...seqs);
    expect(new Set(seqs)).toEqual(new Set(Array.from({ length: max }, (_, i) => i + 1)));
    // At most the batch in flight when the first stopped reached both.
    expect(seqs.length - max).toBeLessThanOrEqual(1);

    expect(c2.enrols).toEqual([]);
    expect(failovers(logs)).toContainEqual(
      expect.objectContaining({ level: 40, from: c1.url, to: c2.url }),
    );
    expect(c2.rejected).toEqual([]);
  });

  it("a 5xx answer fails over too; the second's status reports carry the acknowledgement", async () => {
    const [c1, c2] = [await controller(), await controller()] as const;
    const { logs } = await agent(`${c1.url},${c2.url}`);
    await c1.waitForStatus((s) => s.applied?.revision === 1 && s.applied.ok);
    c1.failWith(503);
    c2.setPolicy({ revision: 2, ruleSet: rs2, management: mgmt });
    await c2.waitForStatus((s) => s.applied?.revision === 2 && s.applied.ok);
    expect(failovers(logs)[0]).toMatchObject({ from: c1.url, to: c2.url, reason: "answered 503" });
  });

  it("a 4xx is the controller's decision: no failover", async () => {
    const [c1, c2] = [await controller(), await controller()] as const;
    const { a, logs } = await agent(`${c1.url},${c2.url}`);
    await c1.waitForStatus((s) => s.applied?.revision === 1 && s.applied.ok);
    c1.revokeAll();
    const seen = c1.requests.length;
    await until(() => c1.requests.length >= seen + 5);
    expect(c2.requests).toEqual([]);
    expect(failovers(logs)).toEqual([]);
    expect(a.dataplane.enforced?.revision).toBe(1);
  });

  it("enrols with the second when the first is down, and stores the list as given", async () => {
    const dead = await deadUrl();
    const c2 = await controller();
    const given = `${dead}, ${c2.url}`;
    const { a } = await agent(given);
    await c2.waitForStatus((s) => s.applied?.revision === 1 && s.applied.ok);
    expect(c2.enrols).toHaveLength(1);
    const identity = await (await openStateStore(bed.dir)).readIdentity();
    expect(identity?.controller).toBe(given);
    expect(a.dataplane.enforced?.revision).toBe(1);
  });

  it("a refused enrolment key is not tried on the next controller", async () => {
    const c1 = await controller(["another-key"]);
    const c2 = await controller();
    const { a } = await agent(`${c1.url},${c2.url}`);
    await expect(a.done).rejects.toMatchObject({ code: "MSEG_ENROL_REFUSED" });
    expect(c1.enrols).toHaveLength(1);
    expect(c2.requests).toEqual([]);
  });
});
