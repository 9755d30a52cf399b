// The real agent (the `microseg agent` command, from source) in a network namespace, enforcing
// with the real kernel, against a fake controller process in a second namespace.
//
//   ns "out" 198.18.0.1 (controller) + 198.18.0.3 (client)  ──veth──  ns "host" 198.18.0.2
//                                                                      agent + servers :80 :81
// The management set holds only 198.18.0.1, so probes from 198.18.0.3 are subject to policy.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RuleSet } from "@microseg/core";
import {
  describePrivileged,
  joinNamespaces,
  type Netns,
  NetnsGroup,
  probeTcp,
  startServers,
} from "@microseg/nft/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { JsonLines, type Line, serverRuleSet } from "./testing/index.js";

const root = join(import.meta.dirname, "../../..");
const TSX = [process.execPath, "--conditions=source", "--import", "tsx"];
const CONTROLLER = "198.18.0.1";
const CLIENT = "198.18.0.3";
const PORT = 7080;
const METRICS_PORT = 9464;
const mgmt = { v4: [`${CONTROLLER}/32`], v6: [] };
const allow80: RuleSet = serverRuleSet({ v4: [`${CLIENT}/32`], v6: [] }, [80]);

describePrivileged("agent in a network namespace (real nft, real traffic)", () => {
  const group = new NetnsGroup("msegt-agent");
  let out: Netns;
  let host: Netns;
  let dir: string;
  let controller: JsonLines | undefined;
  let agent: JsonLines | undefined;

  const startController = async () => {
    const script = join(root, "packages/agent/testdata/fake-controller-child.mts");
    controller = new JsonLines(
      out.spawn(TSX[0] as string, [...TSX.slice(1), script, CONTROLLER, String(PORT)]),
    );
    await controller.waitFor((l) => typeof l.ready === "string", 20_000);
  };
  const startAgent = () => {
    const cli = join(root, "packages/agent/testdata/agent-cli.mts");
    const args = ["agent", "--controller", `http://${CONTROLLER}:${PORT}`, "--enrol-key", "key-1"];
    args.push("--state-dir", dir, "--heartbeat", "1", "--log-level", "debug");
    args.push("--metrics-listen", `127.0.0.1:${METRICS_PORT}`);
    agent = new JsonLines(host.spawn(TSX[0] as string, [...TSX.slice(1), cli, ...args]));
    return agent;
  };
  const setPolicy = (revision: number, ruleSet: RuleSet) =>
    controller?.child.stdin?.write(
      `${JSON.stringify({ policy: { revision, ruleSet, management: mgmt } })}\n`,
    );
  const status = (match: (s: Line) => boolean, ms = 10_000) =>
    (controller as JsonLines).waitFor((l) => l.status !== undefined && match(l.status as Line), ms);
  const applied = (s: Line) => (s.applied ?? {}) as Line;
  const probe = (port: number) => probeTcp(out, "198.18.0.2", port, { from: CLIENT, ms: 700 });
  const reach = async () => [await probe(80), await probe(81)];
  /** GET on the agent's metrics listener, from inside its namespace (loopback). */
  const scrape = (path: string) =>
    host.exec(process.execPath, [
      "-e",
      `fetch("http://127.0.0.1:${METRICS_PORT}${path}").then((r) => r.text()).then((t) => process.stdout.write(t))`,
    ]);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "mseg-agent-priv-"));
    out = await group.create();
    host = await group.create();
    await joinNamespaces(out, host);
    await out.exec("ip", ["addr", "add", `${CLIENT}/24`, "dev", "mseg0"]);
    await startServers(host, [80, 81]);
    await startController();
  });

  afterAll(async () => {
    await agent?.stop("SIGKILL");
    await controller?.stop("SIGKILL");
    await group.deleteAll();
    await rm(dir, { recursive: true, force: true });
  });

  it("denies everything but management before the first policy, then enforces the pushed one", async () => {
    const a = startAgent();
    await a.waitFor((l) => l.msg === "applied" && l.source === "before-policy", 20_000);
    await a.waitFor((l) => l.msg === "connected", 10_000);
    expect(await reach()).toEqual([false, false]);
    setPolicy(1, allow80);
    await status((s) => applied(s).revision === 1 && applied(s).ok === true);
    expect(await reach()).toEqual([true, false]);
  });

  it("keeps enforcing when the controller goes away", async () => {
    await controller?.stop("SIGKILL");
    await (agent as JsonLines).waitFor((l) => String(l.msg).includes("controller unreachable"));
    expect(await reach()).toEqual([true, false]);
  });

  it("re-applies the stored policy on restart before any contact (controller still down)", async () => {
    expect(await agent?.stop()).toBe(0);
    await host.exec("nft", ["delete", "table", "inet", "microseg"]);
    expect(await reach()).toEqual([true, true]); // nothing enforced now
    const a = startAgent();
    const stored = await a.waitFor((l) => l.msg === "applied" && l.source === "stored", 20_000);
    expect(stored.revision).toBe(1);
    expect(a.lines.some((l) => l.msg === "connected")).toBe(false);
    expect(await reach()).toEqual([true, false]);
  });

  it("restores a flushed table within seconds and reports tamper + restored", async () => {
    await startController();
    await (agent as JsonLines).waitFor((l) => l.msg === "connected", 20_000);
    await status(() => true); // a heartbeat got through
    const t0 = Date.now();
    await host.exec("nft", ["flush", "table", "inet", "microseg"]);
    const report = await status((s) =>
      ((s.events ?? []) as Line[]).some((e) => e.kind === "restored"),
    );
    expect(Date.now() - t0).toBeLessThan(5_000);
    const kinds = ((report.status as Line).events as Line[]).map((e) => e.kind);
    expect(kinds).toEqual(["tamper", "restored"]);
    expect(await reach()).toEqual([true, false]);
  });

  it("reports a RuleSet nft rejects and leaves the previous one in force", async () => {
    const bad = serverRuleSet({ v4: ["198.18.0.0/33"], v6: [] }, [81]);
    setPolicy(2, bad);
    const report = await status((s) => applied(s).revision === 2);
    expect(applied(report.status as Line)).toMatchObject({ ok: false });
    expect(String(applied(report.status as Line).error)).toMatch(/nft/);
    expect(await reach()).toEqual([true, false]);
  });

  it("serves its metrics on --metrics-listen: the revision enforced, the restore, the failure", async () => {
    expect(await scrape("/healthz")).toBe('{"status":"ok"}');
    const text = await scrape("/metrics");
    const value = (name: string) =>
      Number(
        text
          .split("\n")
          .find((l) => l.startsWith(`${name} `))
          ?.slice(name.length + 1),
      );
    // This process started in the third test: one restore, one refused RuleSet since.
    expect(value("microseg_agent_policy_revision")).toBe(1);
    expect(value("microseg_agent_drift_restores_total")).toBe(1);
    expect(value("microseg_agent_apply_failures_total")).toBe(1);
    expect(value("microseg_agent_controller_reachable")).toBe(1);
  });
});
