// The packages on a real Debian 12 system: a debootstrap'd root booted with systemd-nspawn as
// PID 1 inside a lab network namespace, the packaged controller in another, probes from a third.
//
//   1. the one-liner `enrol-profiles create` prints, run in the guest: CA checked, package
//      installed, enrolled, service started; the policy holds on the wire (probed from the peer)
//   2. controller stopped, guest rebooted: the boot unit enforces the last good policy before
//      the network, and the service, which cannot reach the controller, keeps it
//   3. an upgrade to a newer package, probed every 100 ms throughout: nothing wrongly admitted,
//      nothing allowed refused, same identity; the reboot's and the upgrade's stops are not
//      reported as tampering
//   4. `apt-get remove` without a maintenance token: the policy stays, the controller is told
//   5. the controller package on the same system: its service runs as its own user and is ready
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describePrivileged } from "@microseg/nft/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { connectFrom } from "../../packages/lab/src/testing/connect-from.js";
import { Container } from "./install/container.js";
import { freshDebianRoot } from "./install/debian-root.js";
import { createNetwork, deleteNetwork, HOSTS, listenScript } from "./install/netns.js";
import {
  buildPackages,
  extractController,
  type Packages,
  type RunningController,
  repackAgent,
  startController,
} from "./install/packaged.js";
import { background, ok, until } from "./install/sh.js";

const DB = 5432; // allowed from the peer
const CLOSED = 8080; // open on the host, not in the policy
const POLICY = `apiVersion: microseg/v1
rules:
  - name: peer-to-db
    from: { cidrs: [${HOSTS.peer.address}/32] }
    to: { role: db }
    services: [tcp/${DB}]
`;

let work: string;
let packages: Packages;
let controllerRoot: string;
let controller: RunningController | undefined;
let token = "";
let guest: Container | undefined;
let servers: ReturnType<typeof background> | undefined;

const listen = `${HOSTS.ctl.address}:8443`;
const data = () => join(work, "controller-data");

async function matrix(): Promise<{ db: string; closed: string }> {
  const [db, closed] = await Promise.all([
    connectFrom(HOSTS.peer.ns, HOSTS.srv.address, DB),
    connectFrom(HOSTS.peer.ns, HOSTS.srv.address, CLOSED),
  ]);
  return { db, closed };
}

/** The agent's own answer on the host: `microseg-agent status --json` (exit code too). */
async function agentStatus() {
  const r = await (guest as Container).exec("microseg-agent status --json");
  return { code: r.code, status: JSON.parse(r.out || "{}") as Record<string, unknown> };
}

describePrivileged("the packages on a booted Debian 12 (systemd-nspawn)", () => {
  beforeAll(async () => {
    work = await mkdtemp("/var/tmp/microseg-install-");
    packages = await buildPackages(join(work, "dist"));
    controllerRoot = await extractController(packages.controllerDeb);
    await createNetwork();
    servers = background("ip", [
      "netns",
      "exec",
      HOSTS.srv.ns,
      process.execPath,
      "-e",
      listenScript([DB, CLOSED]),
    ]);
    controller = await startController(controllerRoot, HOSTS.ctl.ns, listen, data());
    token = controller.adminToken;
    await controller.cli(["policy", "apply", await policyFile()]);
    await controller.cli(["policy", "provision", "-m", "peer may reach the database"]);
    guest = new Container(await freshDebianRoot("db-1"), HOSTS.srv.ns);
    await guest.boot();
  }, 900_000);

  afterAll(async () => {
    await guest?.stop().catch(() => undefined);
    await controller?.stop().catch(() => undefined);
    servers?.child.kill("SIGKILL");
    await deleteNetwork();
    if (guest) await rm(join(guest.root, ".."), { recursive: true, force: true });
    if (controllerRoot) await rm(controllerRoot, { recursive: true, force: true });
    if (work) await rm(work, { recursive: true, force: true });
  }, 120_000);

  it("installs, enrols and enforces with the one-liner enrol-profiles create prints", async () => {
    const ctl = controller as RunningController;
    expect(await matrix()).toEqual({ db: "connected", closed: "connected" });
    const created = await ctl.cli([
      "enrol-profiles",
      "create",
      "--name",
      "db",
      "--label",
      "role=db",
      "--mode",
      "enforce",
    ]);
    const printed = /^ {2}(ca=\$\(mktemp\).*)$/m.exec(created)?.[1];
    expect(printed, created).toBeDefined();
    // As a host of a replicated controller gets it: a list whose first URL does not answer.
    // The installer downloads from the second; the agent keeps the list and fails over.
    const oneLiner = (printed as string).replace(
      /--controller '(https:\/\/[^:/]+):(\d+)'/,
      "--controller '$1:1,$1:$2'",
    );
    expect(oneLiner).toMatch(/--controller 'https:\/\/[^']+:1,https:/);
    const installed = await (guest as Container).exec(oneLiner, 300_000);
    expect(installed.err).toContain("did not answer; trying the next controller URL");
    expect(installed.code, `${installed.err}\n${installed.out}`).toBe(0);
    // Until the agent has its policy from the controller (before it, nothing is let in).
    const wire = await until("the policy on the wire", async () => {
      const m = await matrix();
      return m.db === "connected" && m.closed === "timeout" ? m : undefined;
    }).catch(async (e: Error) => {
      const log = await (guest as Container).exec("journalctl -u microseg-agent --no-pager -n 40");
      throw new Error(`${e.message}\n${log.out}`);
    });
    expect(wire).toEqual({ db: "connected", closed: "timeout" });
    const { code, status } = await agentStatus();
    expect(code, JSON.stringify(status)).toBe(0);
    expect(status).toMatchObject({ enrolled: true, running: true, controllerReachable: true });
    expect(status.controller).toMatch(/^https:\/\/[^,]+:1,https:/);
    const units = await (guest as Container).exec(
      "systemctl is-enabled microseg-agent.service microseg-agent-restore.service; " +
        "systemctl is-active microseg-agent.service",
    );
    expect(units.out.split("\n").filter(Boolean)).toEqual(["enabled", "enabled", "active"]);
    // systemd's own linter on the installed units.
    const verify = await (guest as Container).exec(
      "systemd-analyze verify microseg-agent.service microseg-agent-restore.service 2>&1",
    );
    expect([verify.code, verify.out.trim()]).toEqual([0, ""]);
    // Its footprint as the service runs it (the agent's own process; its nft and conntrack
    // children come on top): what the unit's MemoryHigh and CPUQuota are sized from.
    const resources = status.resources as { rssBytes: number; cpuSeconds: number };
    console.info(
      `agent service: RSS ${(resources.rssBytes / 2 ** 20).toFixed(1)} MiB, ` +
        `${resources.cpuSeconds.toFixed(2)} s of CPU since its start`,
    );
    expect(resources.rssBytes).toBeLessThan(192 * 2 ** 20); // the unit's MemoryHigh
  }, 600_000);

  it("enforces after a reboot with the controller down, before the agent service starts", async () => {
    await (controller as RunningController).stop();
    controller = undefined;
    const g = guest as Container;
    await g.reboot();
    expect(await matrix()).toEqual({ db: "connected", closed: "timeout" });
    const times = await g.exec(
      "for u in microseg-agent-restore.service network-pre.target microseg-agent.service; do " +
        "systemctl show -P ActiveEnterTimestampMonotonic $u; done",
    );
    const [restored, networkPre, service] = times.out.trim().split("\n").map(Number);
    expect(restored).toBeGreaterThan(0);
    expect(restored).toBeLessThanOrEqual(networkPre as number);
    expect(restored).toBeLessThan(service as number);
    const { code, status } = await agentStatus();
    expect(code).toBe(1); // the controller is unreachable
    expect(status).toMatchObject({ enrolled: true, running: true });
  }, 300_000);

  it("upgrades with no connection wrongly admitted or refused, keeping its identity", async () => {
    controller = await startController(controllerRoot, HOSTS.ctl.ns, listen, data(), token);
    const g = guest as Container;
    const before = (await agentStatus()).status;
    const newer = await repackAgent(packages.agentDeb, "+e2e1", work);
    await ok("cp", [newer, join(g.root, "root/upgrade.deb")]);
    const probes = background("ip", [
      "netns",
      "exec",
      HOSTS.peer.ns,
      process.execPath,
      "-e",
      prober(),
    ]);
    await until("the prober", async () => (probes.log.join("").includes("\n") ? true : undefined));
    const upgraded = await g.exec("dpkg -i /root/upgrade.deb");
    expect(upgraded.code, upgraded.err).toBe(0);
    await until("the upgraded agent to report", async () =>
      (await agentStatus()).code === 0 ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 2000));
    probes.child.kill("SIGTERM");
    await probes.exited;
    const seen = probes.log
      .join("")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Probe);
    expect(seen.filter((p) => p.port === DB).length).toBeGreaterThan(20);
    expect(seen.filter((p) => p.port === CLOSED).length).toBeGreaterThan(5);
    expect(seen.filter((p) => p.port === CLOSED && p.outcome !== "timeout")).toEqual([]);
    expect(seen.filter((p) => p.port === DB && p.outcome !== "connected")).toEqual([]);
    const version = await g.exec(`dpkg-query -W -f '\${Version}' microseg-agent`);
    expect(version.out).toMatch(/\+e2e1$/);
    expect((await agentStatus()).status).toMatchObject({ agentId: before.agentId });
    // The reboot's stop (queued while the controller was down) and the upgrade's restart reach
    // the controller as what they were: neither is tampering.
    const ctl = controller as RunningController;
    const audit = await until("the stops in the audit log", async () => {
      const a = await ctl.cli(["audit", "--json"]);
      const both = ["stopped by a system shutdown", "restarted by a package upgrade"];
      return both.every((s) => a.includes(s)) ? a : undefined;
    });
    expect(audit).not.toContain("stopped without maintenance token");
  }, 300_000);

  it("keeps the policy when the package is removed without a token, and says so", async () => {
    const g = guest as Container;
    const removed = await g.exec("apt-get remove -y -q microseg-agent");
    expect(removed.code, removed.err).toBe(0);
    expect(await matrix()).toEqual({ db: "connected", closed: "timeout" });
    const table = await ok("ip", [
      "netns",
      "exec",
      HOSTS.srv.ns,
      "nft",
      "list",
      "table",
      "inet",
      "microseg",
    ]);
    expect(table).toContain("table inet microseg");
    const audit = await (controller as RunningController).cli(["audit", "--json"]);
    expect(audit).toContain("package removed without maintenance token");
  }, 300_000);

  it("runs the controller package as its service: own user, ready, healthy", async () => {
    const g = guest as Container;
    await ok("cp", [packages.controllerDeb, join(g.root, "root/controller.deb")]);
    const installed = await g.exec("dpkg -i /root/controller.deb", 300_000);
    expect(installed.code, installed.err).toBe(0);
    const state = await g.exec(
      "systemctl is-active microseg-controller; stat -c %U /var/lib/microseg; " +
        "systemd-analyze verify microseg-controller.service 2>&1",
    );
    expect(state.out.trim().split("\n")).toEqual(["active", "microseg"]);
    const ready = await g.exec("curl -fsSk https://127.0.0.1:8443/readyz");
    expect([ready.code, ready.out]).toEqual([0, '{"status":"ready"}']);
  }, 300_000);
}, ["systemd-nspawn", "debootstrap", "dpkg-deb"]);

async function policyFile(): Promise<string> {
  const file = join(work, "policy.yaml");
  await writeFile(file, POLICY);
  return file;
}

interface Probe {
  readonly port: number;
  readonly outcome: "connected" | "refused" | "timeout";
}

/** Connections to each port of the guest, 100 ms apart; one JSON line per attempt. */
function prober(): string {
  return `
    const net = require("node:net");
    const one = (port) => new Promise((done) => {
      const s = net.connect(port, ${JSON.stringify(HOSTS.srv.address)});
      const end = (outcome) => { s.destroy(); done({ port, outcome }); };
      s.on("connect", () => end("connected"));
      s.on("error", (e) => end(e.code === "ECONNREFUSED" ? "refused" : "error " + e.code));
      s.setTimeout(300, () => end("timeout"));
    });
    let stop = false;
    process.on("SIGTERM", () => { stop = true; });
    // One loop per port: a blocked port costs its whole timeout (300 ms: on this bridge an
    // answer takes well under 1 ms), the open one next to nothing.
    const loop = async (port) => {
      while (!stop) {
        process.stdout.write(JSON.stringify(await one(port)) + "\\n");
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    (async () => {
      await Promise.all([loop(${DB}), loop(${CLOSED})]);
      process.exit(0);
    })();`;
}
