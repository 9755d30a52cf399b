// The agent's lifecycle end to end: a real controller (`microseg controller`, SQLite on disk) in
// one network namespace, the real agent (`microseg agent`) enforcing with nft in another, and the
// host commands (`microseg-agent status|maintenance|unpair`) run in the agent's namespace.
//
//   ns "out" 198.18.0.1:7080 controller  ──veth──  ns "host" 198.18.0.2 agent + host commands
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describePrivileged, joinNamespaces, type Netns, NetnsGroup } from "@microseg/nft/testing";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { agentMain } from "./bin/main.js";
import { JsonLines } from "./testing/index.js";

const root = join(import.meta.dirname, "../../..");
const TSX = [process.execPath, "--conditions=source", "--import", "tsx"];
const CLI = join(root, "packages/agent/testdata/agent-cli.mts");
const HOST_CMD = join(root, "packages/agent/src/bin/entry.ts");
const URL_ = "http://198.18.0.1:7080";

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** A command in a namespace, its exit code whatever it is. */
function runIn(ns: Netns, args: readonly string[], timeoutMs = 60_000): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      "ip",
      ["netns", "exec", ns.name, ...args],
      { timeout: timeoutMs },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describePrivileged("agent lifecycle with a real controller (status, maintenance, unpair)", () => {
  const group = new NetnsGroup("msegt-life");
  let out: Netns;
  let host: Netns;
  let data: string;
  let dir: string;
  let admin: string;
  let controller: JsonLines | undefined;
  let agent: JsonLines | undefined;
  let agentId: string;
  let workload: string;
  let token: string;

  // biome-ignore lint/suspicious/noExplicitAny: the test reads answers field by field
  const api = async (method: string, path: string, body?: unknown): Promise<any> => {
    const args = ["curl", "-s", "-X", method, "-H", `authorization: Bearer ${admin}`];
    if (body !== undefined)
      args.push("-H", "content-type: application/json", "-d", JSON.stringify(body));
    const r = await runIn(out, [...args, `${URL_}${path}`]);
    return JSON.parse(r.stdout);
  };
  const audit = async (action: string): Promise<{ after: { details?: string } }[]> => {
    const page = await api("GET", `/api/v1/audit?limit=1000&target=workload/${workload}`);
    return page.entries.filter((e: { action: string }) => e.action === action);
  };
  const hostCmd = (args: readonly string[]) =>
    runIn(host, [...TSX, HOST_CMD, ...args, "--state-dir", dir]);
  /** `microseg-agent status` in process (it only reads files; the pid check spans namespaces). */
  const status = async () => {
    const quiet = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    try {
      return await agentMain(["status", "--state-dir", dir, "--json"], "test");
    } finally {
      quiet.mockRestore();
    }
  };
  const tableThere = async () =>
    (await runIn(host, ["nft", "list", "table", "inet", "microseg"])).code === 0;
  const startAgent = async (enrolKey?: string) => {
    const args = ["agent", "--controller", URL_, "--state-dir", dir, "--heartbeat", "1"];
    if (enrolKey) args.push("--enrol-key", enrolKey);
    args.push("--flows", "off", "--log-level", "debug");
    agent = new JsonLines(host.spawn(TSX[0] as string, [...TSX.slice(1), CLI, ...args]));
    await agent.waitFor((l) => l.msg === "connected", 30_000);
    await agent.waitFor((l) => l.msg === "applied", 10_000);
  };
  const until = async (check: () => Promise<boolean>, ms = 10_000) => {
    const end = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > end) throw new Error(`not within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  beforeAll(async () => {
    data = await mkdtemp(join(tmpdir(), "mseg-life-ctl-"));
    dir = await mkdtemp(join(tmpdir(), "mseg-life-agent-"));
    out = await group.create();
    host = await group.create();
    await joinNamespaces(out, host);
    const args = ["controller", "--data", data, "--listen", "198.18.0.1:7080", "--http"];
    controller = new JsonLines(
      out.spawn(TSX[0] as string, [...TSX.slice(1), CLI, ...args, "--json"]),
    );
    await until(
      async () => (await runIn(out, ["curl", "-sf", `${URL_}/api/openapi.json`])).code === 0,
      60_000,
    );
    admin = (await readFile(join(data, "admin.token"), "utf8")).trim();
    const profile = await api("POST", "/api/v1/enrol-profiles", { name: "life", labels: {} });
    await startAgent(profile.key);
    const identity = JSON.parse(await readFile(join(dir, "identity.json"), "utf8"));
    agentId = identity.agentId;
    workload = identity.workload;
  }, 120_000);

  afterAll(async () => {
    await agent?.stop("SIGKILL");
    await controller?.stop("SIGKILL");
    await group.deleteAll();
    await rm(dir, { recursive: true, force: true });
    await rm(data, { recursive: true, force: true });
  });

  it("status exits 0 while the agent runs and reaches its controller", async () => {
    await until(async () => (await status()) === 0);
  });

  it("issues a maintenance token through the CLI; the agent learns its hash", async () => {
    const cli = [...TSX, CLI, "agents", "maintenance-token", agentId, "--json"];
    const r = await runIn(out, [...cli, "--controller", URL_, "--token", admin]);
    expect(r.code).toBe(0);
    token = JSON.parse(r.stdout).token;
    expect(token).toMatch(/^msm_/);
    await until(() =>
      stat(join(dir, "maintenance-hash.json")).then(
        () => true,
        () => false,
      ),
    );
    const issued = await api("GET", `/api/v1/audit?limit=1000&target=agent/${agentId}`);
    const actions = issued.entries.map((e: { action: string }) => e.action);
    expect(actions).toContain("agent.maintenance-token");
    expect(JSON.stringify(issued)).not.toContain(token);
  });

  it("SIGTERM without maintenance: tamper event at the controller, table stays, status exits 1", async () => {
    expect(await agent?.stop()).toBe(0);
    const tamper = await audit("agent.tamper");
    expect(tamper.map((e) => e.after.details)).toEqual(["stopped without maintenance token"]);
    expect(await tableThere()).toBe(true);
    expect(await status()).toBe(1);
  });

  it("SIGTERM within a maintenance window: a sanctioned stop, no new tamper", async () => {
    await startAgent();
    const m = await hostCmd(["maintenance", "--token", token, "--minutes", "5"]);
    expect([m.code, m.stdout]).toEqual([0, expect.stringContaining("maintenance window open")]);
    expect(await agent?.stop()).toBe(0);
    expect((await audit("agent.stopped")).map((e) => e.after.details)).toEqual([
      "stopped (maintenance)",
    ]);
    expect(await audit("agent.tamper")).toHaveLength(1);
    expect(await tableThere()).toBe(true);
    await rm(join(dir, "maintenance.json"));
  });

  it("unpair with a wrong token is refused (exit 2), reported, and the table stays", async () => {
    await startAgent();
    const r = await hostCmd(["unpair", "--token", "msm_wrong"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`microseg agents maintenance-token ${agentId}`);
    expect(await tableThere()).toBe(true);
    expect((await audit("agent.tamper")).map((e) => e.after.details)).toContain(
      "unpair refused: wrong maintenance token",
    );
    expect(await status()).toBe(0);
  });

  it("unpair with the token: agent stopped, table gone, the controller sees it unpaired", async () => {
    const r = await hostCmd(["unpair", "--token", token]);
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(r.stdout).toMatch(
      /unpaired: agent \(pid \d+\) stopped; table removed; the controller was told/,
    );
    expect(agent?.child.exitCode).toBe(0);
    expect(await tableThere()).toBe(false);
    expect(await audit("agent.unpaired")).toHaveLength(1);
    expect((await audit("agent.stopped")).map((e) => e.after.details)).toEqual([
      "stopped (maintenance)",
      "stopped (maintenance)",
    ]);
    expect((await api("GET", `/api/v1/agents/${agentId}`)).revoked).toBe(true);
    await expect(stat(dir)).rejects.toThrow(/ENOENT/);
    expect(await status()).toBe(1);
  });
});
