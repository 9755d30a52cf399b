// The control plane end to end, in the real kernel: `lab up` starts a controller in its own
// namespace and a `microseg agent` in every managed host; everything below goes through the
// controller's API, and the probe shows what the kernels enforce. The steps share one lab and
// run in order (each leaves the lab as the next expects it).
import { describePrivileged } from "@microseg/nft/testing";
import { beforeAll, expect, it } from "vitest";
import {
  type AgentRow,
  apiOf,
  LabApiError,
  type LabApiTarget,
  labApi,
  labProbe,
  labStartAgent,
  labStartController,
  labStopAgent,
  labStopController,
  listAgents,
  readState,
  waitConverged,
} from "./index.js";
import { run } from "./sys/run.js";
import {
  allowed,
  eventually,
  labControllerApi,
  scenario,
  tempStateDir,
  useLab,
} from "./testing/lab-fixtures.js";

const dir = tempStateDir();
const POLICY_V1 = `apiVersion: microseg/v1
rules:
  - { name: web-to-app, from: { role: web }, to: { role: app }, services: [tcp/8000] }
  - { name: app-to-db, from: { role: app }, to: { role: db }, services: [tcp/5432] }
`;
const POLICY_V2 = `${POLICY_V1}  - { name: web-to-db, from: { role: web }, to: { role: db }, services: [tcp/5432] }\n`;
const POLICY_V3 = `${POLICY_V2}  - { name: any-to-db, from: any, to: { role: db }, services: [tcp/5432] }\n`;
const V1 = ["app -> db tcp/5432", "web -> app tcp/8000"];
const V2 = ["app -> db tcp/5432", "web -> app tcp/8000", "web -> db tcp/5432"];
const MANAGED = ["app", "db", "web"];

let api: LabApiTarget;
// Polled until a matrix appears: one wave each (a probe that finds something blocked would
// otherwise wait out two more waves, 5 s, per poll; a late answer only delays the match).
const probe = async () => allowed((await labProbe({ dir, attempts: 1 })).results);
const hostNs = (host: string) => readState(dir)?.hosts.find((h) => h.name === host)?.netns ?? "";
const nft = (host: string, ...args: string[]) =>
  run("ip", ["netns", "exec", hostNs(host), "nft", ...args]);

async function provision(text: string): Promise<number> {
  await labApi(api, "PUT", "/api/v1/policy/draft", { text });
  const r = await labApi<{ revision: { number: number } }>(
    api,
    "POST",
    "/api/v1/policy/provision",
    {},
  );
  return r.revision.number;
}

describePrivileged("lab: control plane (controller, agents, fail safe)", () => {
  useLab(scenario("control-plane"), dir);
  beforeAll(() => {
    api = labControllerApi(dir);
  });

  it("lab up enrols every managed host as its workload and waits for every agent", async () => {
    const state = readState(dir);
    expect(state?.controller?.netns).toBe("mseg-t-ctl.ctl");
    expect(state?.agents?.map((a) => a.host).sort()).toEqual(MANAGED);
    const agents = await listAgents(api);
    expect(agents.map((a) => a.workload).sort()).toEqual(MANAGED);
    expect(agents.every((a) => a.converged && !a.revoked && a.appliedRevision === 1)).toBe(true);
    const { workloads } = await labApi<{ workloads: { name: string; labels: object }[] }>(
      api,
      "GET",
      "/api/v1/workloads",
    );
    expect(workloads.find((w) => w.name === "web")?.labels).toEqual({ role: "web" });
    expect(await probe()).toEqual(V1);
  });

  it("a policy change through the API flips traffic on the hosts", async () => {
    await provision(POLICY_V2);
    await waitConverged(api, MANAGED, 10_000);
    expect(await probe()).toEqual(V2);
  });

  it("a bad policy is refused with its diagnostics, and nothing changes", async () => {
    const bad = `${POLICY_V2}  - { name: broken, from: { role: web }, to: { role: db }, services: [tcp/99999] }\n`;
    const err = await labApi(api, "PUT", "/api/v1/policy/draft", { text: bad }).catch((e) => e);
    expect(err).toBeInstanceOf(LabApiError);
    expect(err).toMatchObject({ status: 422, code: "MSEG_POLICY_INVALID" });
    const diagnostics = (err as LabApiError).details as { diagnostics: { path: string }[] };
    expect(diagnostics.diagnostics[0]?.path).toBe("rules[3].services[0]");
    const active = await labApi<{ number: number }>(api, "GET", "/api/v1/policy/active");
    expect(active.number).toBe(2);
    expect(await probe()).toEqual(V2);
  });

  it("with the controller gone, every host keeps enforcing", async () => {
    await labStopController({ dir });
    await expect(listAgents(api)).rejects.toThrow();
    expect(await probe()).toEqual(V2);
  });

  it("an agent restarted while the controller is down re-applies its last good policy", async () => {
    await labStopAgent("db", { dir });
    expect((await nft("db", "delete", "table", "inet", "microseg")).code).toBe(0);
    expect(await probe()).toContain("outside -> db tcp/5432");
    labStartAgent("db", { dir });
    await eventually(async () => (await probe()).join() === V2.join(), 10_000, "db's rules back");
  });

  it("the controller comes back and every agent reports in again", async () => {
    api = apiOf(await labStartController({ dir }));
    await waitConverged(api, MANAGED, 15_000);
  });

  it("a flushed table is restored within seconds and reported", async () => {
    expect((await nft("web", "flush", "table", "inet", "microseg")).code).toBe(0);
    const took = await eventually(
      async () => (await probe()).join() === V2.join(),
      10_000,
      "web's table restored",
    );
    expect(took).toBeLessThan(10_000);
    const webAgent = (await listAgents(api)).find((a) => a.workload === "web") as AgentRow;
    await eventually(
      async () => {
        const { entries } = await labApi<{ entries: { action: string; actor: string }[] }>(
          api,
          "GET",
          "/api/v1/audit?target=workload/web&limit=1000",
        );
        return entries.some((e) => e.action === "agent.tamper" && e.actor.includes(webAgent.id));
      },
      10_000,
      "the tamper event in the audit log",
    );
  });

  it("a revoked agent gets no more policy; the others do", async () => {
    const db = (await listAgents(api)).find((a) => a.workload === "db") as AgentRow;
    await labApi(api, "POST", `/api/v1/agents/${db.id}/revoke`, {});
    await provision(POLICY_V3);
    await waitConverged(api, ["app", "web"], 10_000);
    const after = (await listAgents(api)).find((a) => a.id === db.id);
    expect(after?.revoked).toBe(true);
    // only db's inbound rules would let the unmanaged outside host in: they did not change
    expect(await probe()).toEqual(V2);
  });
});
