// Scaffolding shared by the agent's in-process tests (agent, lifecycle, failover, metrics): a fresh
// state directory per test, agents and fake controllers stopped after it, the fast timings, and
// the deps of an agent that talks plain HTTP to a fake controller and enforces through a fake nft.
// Test-only (it registers vitest hooks); not exported from testing/index.ts.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NftDriver, type NftExec } from "@microseg/nft";
import type { Logger } from "pino";
import { afterEach, beforeEach } from "vitest";
import type { AgentConfig, AgentDeps, RunningAgent } from "../agent.js";
import { createControllerClient } from "../controller-client.js";
import { createHttpTransport, type HttpTransport } from "../http-transport.js";
import { controllerChannel } from "../management.js";
import { openStateStore } from "../state-store.js";
import type { FakeController } from "./fake-controller.js";

/** Timings that make a test agent converge in tens of milliseconds. */
export const FAST = {
  enrolKey: "key-1",
  beforePolicy: "deny",
  heartbeatMs: 100,
  waitS: 1,
  batchMs: 10,
  tamperMs: 50,
} as const satisfies Omit<AgentConfig, "controller">;

export interface AgentBed {
  /** This test's state directory (new for every test). */
  readonly dir: string;
  /** Stopped after the test, in this order: agents, then controllers. */
  readonly running: RunningAgent[];
  readonly controllers: FakeController[];
}

/** Registers the hooks; the returned bed's `dir` changes for every test. */
export function useAgentBed(prefix: string): AgentBed {
  const bed = { dir: "", running: [] as RunningAgent[], controllers: [] as FakeController[] };
  beforeEach(async () => {
    bed.dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterEach(async () => {
    for (const a of bed.running.splice(0)) await a.stop();
    for (const c of bed.controllers.splice(0)) await c.close();
    await rm(bed.dir, { recursive: true, force: true });
  });
  return bed;
}

export interface TestDepsOptions {
  readonly dir: string;
  readonly url: string;
  readonly exec: NftExec;
  readonly log: Logger;
  /** The host's eth0 addresses at enrolment (default 198.18.0.1). */
  readonly addresses?: readonly string[];
  /** Default: plain HTTP to `url`. */
  readonly transport?: (ca: string | undefined) => HttpTransport;
  readonly controllerHosts?: readonly string[];
}

/** The deps of a test agent (extend with flows, observer… where a test needs them). */
export async function testDeps(o: TestDepsOptions): Promise<AgentDeps> {
  const transport = o.transport ?? ((ca) => createHttpTransport({ baseUrl: o.url, ca }));
  return {
    store: await openStateStore(o.dir),
    driverFor: (management, managementAccess) =>
      new NftDriver({ management, managementAccess, allowRootNamespace: true, exec: o.exec }),
    controllerHosts: o.controllerHosts ?? ["127.0.0.1"],
    controllerChannel: controllerChannel(o.url),
    pinCa: async () => undefined,
    connect: (ca, credential) => createControllerClient(transport(ca), credential),
    hostFacts: () => ({
      hostname: "host-1",
      interfaces: [{ name: "eth0", addresses: [...(o.addresses ?? ["198.18.0.1"])] }],
    }),
    log: o.log,
  };
}
