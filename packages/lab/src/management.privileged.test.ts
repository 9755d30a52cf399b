// Management least privilege in the real kernel, through the controller and real agents: from
// the controller's own namespace (its address 198.18.0.1, the management address), a workload in
// enforce mode answers only on the scenario's management service (tcp/22), not on its other
// ports, while its agent stays converged and policy pushes still arrive over the channel; from
// the workload, the controller's address is reachable on the channel port only.
import { describePrivileged } from "@microseg/nft/testing";
import { beforeAll, expect, it } from "vitest";
import { type LabApiTarget, labApi, listAgents, readState } from "./index.js";
import { connectFrom } from "./testing/connect-from.js";
import {
  agentConverged,
  labControllerApi,
  scenario,
  tempStateDir,
  useLab,
} from "./testing/lab-fixtures.js";

const dir = tempStateDir();
let api: LabApiTarget;

const host = (name: string) => {
  const h = readState(dir)?.hosts.find((x) => x.name === name);
  if (h === undefined) throw new Error(`no host ${name}`);
  return h;
};
const controllerNetns = () => readState(dir)?.controller?.netns ?? "";
const fromController = (name: string, port: number) =>
  connectFrom(controllerNetns(), host(name).address, port, 700);

describePrivileged("lab: management least privilege", () => {
  useLab(scenario("management"), dir);
  beforeAll(() => {
    api = labControllerApi(dir);
  });

  it("the controller reaches an enforcing workload on the management service only", async () => {
    expect(await fromController("web", 22)).toBe("connected");
    expect(await fromController("web", 80)).toBe("timeout");
    expect(await fromController("web", 5432)).toBe("timeout");
    // Learn mode blocks nothing, for management as for anyone.
    expect(await fromController("db", 5432)).toBe("connected");
    await agentConverged(api, "web", 5000);
  });

  it("the workload reaches the controller's address on the channel port only", async () => {
    const controller = new URL(readState(dir)?.controller?.agentUrl ?? "");
    const web = host("web").netns;
    expect(await connectFrom(web, controller.hostname, Number(controller.port))).toBe("connected");
    // Nothing listens on port 9 there: an open path would be refused at once, a closed one is not.
    expect(await connectFrom(web, controller.hostname, 9)).toBe("timeout");
    expect(await connectFrom(host("db").netns, controller.hostname, 9)).toBe("refused");
  });

  it("policy pushes still arrive and are applied, and management stays as narrow", async () => {
    const before = (await listAgents(api)).find((a) => a.workload === "web")?.appliedHash;
    const text = `apiVersion: microseg/v1
rules:
  - name: web-to-db
    from: { role: web }
    to: { role: db }
    services: [tcp/5432, tcp/22]
`;
    await labApi(api, "PUT", "/api/v1/policy/draft", { text });
    await labApi(api, "POST", "/api/v1/policy/provision", {});
    await agentConverged(api, "web", 10_000);
    const after = (await listAgents(api)).find((a) => a.workload === "web");
    expect(after?.appliedHash).not.toBe(before);
    expect(after?.drift).not.toBe("drifted");
    expect(await fromController("web", 5432)).toBe("timeout");
    expect(await fromController("web", 22)).toBe("connected");
  });
});
