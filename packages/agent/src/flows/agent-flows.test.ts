// Flow collection inside the agent: started after the first enforcement, handed the controller
// call once connected, stopped with the agent, and a failure to start it never stops enforcing.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NftDriver } from "@microseg/nft";
import { createFakeNft, type FakeNft } from "@microseg/nft/testing";
import type { FlowBatch, FlowBatchAck } from "@microseg/protocol/agent";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type AgentDeps, startAgent } from "../agent.js";
import { createControllerClient } from "../controller-client.js";
import { createHttpTransport } from "../http-transport.js";
import { controllerChannel } from "../management.js";
import { openStateStore } from "../state-store.js";
import { type FakeController, memoryLog, startFakeController } from "../testing/index.js";
import type { FlowCollection } from "./start-flows.js";

let dir: string;
let controller: FakeController;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "mseg-agentflows-"));
  controller = await startFakeController();
});
afterEach(async () => {
  await controller.close();
  await rm(dir, { recursive: true, force: true });
});

type Send = () => ((batch: FlowBatch) => Promise<FlowBatchAck>) | undefined;

async function run(fake: FakeNft, flows: AgentDeps["flows"]) {
  const logs = memoryLog();
  const url = controller.url;
  const agent = await startAgent(
    { controller: url, enrolKey: "key-1", beforePolicy: "deny", heartbeatMs: 100, waitS: 1 },
    {
      store: await openStateStore(dir),
      driverFor: (management, managementAccess) =>
        new NftDriver({ management, managementAccess, allowRootNamespace: true, exec: fake.exec }),
      controllerHosts: ["127.0.0.1"],
      controllerChannel: controllerChannel(url),
      pinCa: async () => undefined,
      connect: (ca, credential) =>
        createControllerClient(createHttpTransport({ baseUrl: url, ca }), credential),
      hostFacts: () => ({ hostname: "h", interfaces: [{ name: "eth0", addresses: ["10.0.0.1"] }] }),
      flows,
      log: logs.log,
    },
  );
  return { agent, logs };
}

describe("agent flows wiring", () => {
  it("starts after enforcement, sends through the controller client once connected", async () => {
    const fake = createFakeNft();
    let send: Send | undefined;
    let enforcedAtStart = false;
    let stopped = false;
    const { agent } = await run(fake, async (s) => {
      send = s;
      enforcedAtStart = fake.tables().includes("microseg");
      return {
        stop: async () => {
          stopped = true;
        },
      } as unknown as FlowCollection;
    });
    expect(enforcedAtStart).toBe(true);
    const end = Date.now() + 5000;
    while (!send?.() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    const call = send?.();
    expect(call).toBeDefined();
    // The fake controller takes a seq once per agent, like the real one.
    expect(await call?.({ seq: 1, records: [] })).toEqual({ seq: 1, duplicate: false });
    expect(await call?.({ seq: 1, records: [] })).toEqual({ seq: 1, duplicate: true });
    expect(controller.flows.map((b) => b.seq)).toEqual([1]);
    await agent.stop();
    expect(stopped).toBe(true);
  });

  it("enforces on when flow collection cannot start", async () => {
    const fake = createFakeNft();
    const { agent, logs } = await run(fake, async () => {
      throw new Error("no space left on device");
    });
    expect(agent.flows).toBeUndefined();
    expect(fake.tables()).toEqual(["microseg"]);
    expect(logs.records.map((r) => r.msg)).toContain("flow collection did not start; enforcing on");
    await agent.stop();
  });
});
