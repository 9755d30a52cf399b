// The real agent against the real controller, in process over HTTPS on 127.0.0.1, with the CA
// pinned by fingerprint and the fake nft twin as the kernel. Lives at the repository level:
// agent and controller never import each other.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type AgentConfig,
  controllerChannel,
  createControllerClient,
  createHttpTransport,
  openStateStore,
  pinnedCa,
  type RunningAgent,
  startAgent,
} from "@microseg/agent";
import { startController } from "@microseg/controller";
import { NftDriver } from "@microseg/nft";
import { createFakeNft } from "@microseg/nft/testing";
import { PATHS } from "@microseg/protocol";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "mseg-agent-ctl-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const POLICY = `
rules:
  - name: clients-to-web
    from: { role: client }
    to: { role: web }
    services: [tcp/80]
`;

describe("agent with the real controller (HTTPS, pinned CA, fake nft)", () => {
  it("enrols with a profile, applies a provisioned revision and converges; tamper is reported", async () => {
    const ctl = await startController({
      dataDir: join(dir, "ctl"),
      listen: "127.0.0.1:0",
      log: "silent",
    });
    let agent: RunningAgent | undefined;
    try {
      const token = ctl.adminToken ?? "";
      const ca = ctl.caPem ?? "";
      const admin = createHttpTransport({ baseUrl: ctl.url, ca });
      const call = (method: string, path: string, body?: unknown) =>
        admin(method, path, { token, body });
      const profile = await call("POST", "/api/v1/enrol-profiles", {
        name: "web",
        labels: { role: "web" },
      });
      expect(profile.status).toBe(201);
      await call("PUT", "/api/v1/workloads/client-1", {
        labels: { role: "client" },
        addresses: ["198.18.1.20"],
      });

      const fake = createFakeNft();
      const store = await openStateStore(join(dir, "agent"));
      const config: AgentConfig = {
        controller: ctl.url,
        enrolKey: (profile.body as { key: string }).key,
        beforePolicy: "deny",
        heartbeatMs: 200,
        waitS: 2,
        batchMs: 10,
        tamperMs: 100,
      };
      agent = await startAgent(config, {
        store,
        driverFor: (management, managementAccess) =>
          new NftDriver({
            management,
            managementAccess,
            allowRootNamespace: true,
            exec: fake.exec,
          }),
        controllerHosts: ["127.0.0.1"],
        controllerChannel: controllerChannel(ctl.url),
        pinCa: () =>
          pinnedCa(
            () => createHttpTransport({ baseUrl: ctl.url, insecure: true })("GET", PATHS.caPem),
            ctl.caFingerprint ?? "",
            store,
          ),
        connect: (pinned, credential) =>
          createControllerClient(createHttpTransport({ baseUrl: ctl.url, ca: pinned }), credential),
        hostFacts: () => ({
          hostname: "web-1",
          interfaces: [{ name: "eth0", addresses: ["198.18.1.10"] }],
        }),
        log: pino({ level: "silent" }),
      });

      expect((await call("PUT", "/api/v1/policy/draft", { text: POLICY })).status).toBe(200);
      expect((await call("POST", "/api/v1/policy/provision", { comment: "t" })).status).toBe(201);
      const converged = async () => {
        const res = await call("GET", "/api/v1/agents");
        const [a] = (res.body as { agents: { converged: boolean; appliedRevision: number }[] })
          .agents;
        return a?.converged === true && a.appliedRevision === 1;
      };
      await until(converged);
      expect(agent.dataplane.enforced).toMatchObject({ revision: 1, source: "controller" });
      expect(JSON.stringify(fake.documents.at(-1))).toContain("198.18.1.20");

      const table = { family: "inet", name: "microseg" };
      await fake.exec(["-j", "-f", "-"], JSON.stringify({ nftables: [{ flush: { table } }] }));
      await until(async () => {
        const res = await call("GET", "/api/v1/agents");
        const [a] = (res.body as { agents: { drift: unknown }[] }).agents;
        return a?.drift !== null && a?.drift !== undefined && a.drift !== "clean";
      });
      const running = agent;
      await until(async () => running.reporter.pending().drift?.repairedAt !== undefined);
      expect((await agent.dataplane.checkDrift({ elements: true }))?.drifted).toBe(false);
    } finally {
      await agent?.stop();
      await ctl.close();
    }
  });
});

async function until(cond: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`condition not met in ${ms} ms`);
}
