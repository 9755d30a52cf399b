// microseg beside the firewalls real servers already run, in the real kernel. Before any agent
// starts, three lab hosts get another firewall's rules (testdata/firewalls/): web Docker's
// (iptables-nft: ip filter + ip nat), app an enabled ufw (iptables-nft, INPUT policy drop),
// db firewalld's own table (inet firewalld). Then the agents enrol and enforce, and across
// (a) policy applies, (b) a drift restore and (c) agent restarts every host's other rules stay
// exactly as loaded, and the probe matrix is the policy's, met by the other firewalls' verdicts:
// every base chain on a hook judges the packet, so a drop in any of them drops it.
import { describePrivileged, type Netns, probeTcp } from "@microseg/nft/testing";
import { beforeAll, expect, it } from "vitest";
import {
  type LabApiTarget,
  labApi,
  labProbe,
  labStartAgent,
  labStopAgent,
  readState,
  type StateHost,
  waitConverged,
} from "./index.js";
import { run } from "./sys/run.js";
import {
  agentConverged,
  allowed,
  eventually,
  labControllerApi,
  scenario,
  tempStateDir,
  useLab,
} from "./testing/lab-fixtures.js";
import {
  chainCounters,
  deleteMicrosegRule,
  type Firewall,
  loadFirewall,
  microsegRuleHandles,
  microsegTable,
  type OtherRules,
  otherRules,
  reloadFlushingRuleset,
  startContainer,
} from "./testing/third-party.js";

const dir = tempStateDir();
const FIREWALL: Record<string, Firewall> = { web: "docker", app: "ufw", db: "firewalld" };
const MANAGED = Object.keys(FIREWALL);
/** The policy's allows, but web -> app tcp/9000: the policy allows it, ufw on app does not. */
const V1 = ["app -> db tcp/5432", "client -> web tcp/80", "web -> app tcp/8000"];
const V2_RULE =
  "  - { name: client-to-app, from: { role: client }, to: { role: app }, services: [tcp/8000] }\n";
const V2 = [
  "app -> db tcp/5432",
  "client -> app tcp/8000",
  "client -> web tcp/80",
  "web -> app tcp/8000",
];

let api: LabApiTarget;
/** Each host's other rules as loaded, read before any agent started. */
const loaded = new Map<string, OtherRules>();

const host = (name: string): StateHost => {
  const h = readState(dir)?.hosts.find((x) => x.name === name);
  if (h === undefined) throw new Error(`no lab host ${name}`);
  return h;
};
const probe = async () => allowed((await labProbe({ dir })).results);

async function expectOthersUntouched(): Promise<void> {
  for (const name of [...MANAGED, "client"]) {
    expect(await otherRules(host(name).netns), `${name}'s other firewall rules`).toEqual(
      loaded.get(name),
    );
  }
}

describePrivileged("lab: microseg beside Docker, ufw and firewalld", () => {
  useLab(scenario("coexist"), dir, {
    beforeEnforce: async (hosts) => {
      for (const h of hosts) {
        const firewall = FIREWALL[h.name];
        if (firewall !== undefined) await loadFirewall(h.netns, firewall);
        loaded.set(h.name, await otherRules(h.netns));
      }
    },
  });
  beforeAll(() => {
    api = labControllerApi(dir);
  });

  it("the fixtures are in the kernel as each firewall makes them", () => {
    const nft = (name: string) => loaded.get(name)?.nft.join("\n") ?? "";
    expect(loaded.get("web")?.iptables).toContain("-A FORWARD -j DOCKER-USER");
    expect(nft("web")).toMatch(/"family":"ip","name":"nat"/);
    expect(loaded.get("app")?.iptables).toContain(":INPUT DROP [0:0]");
    expect(nft("db")).toMatch(/"family":"inet","name":"firewalld"/);
    expect(loaded.get("client")).toEqual({ nft: [], iptables: [], legacy: [] });
  });

  it("(a) the first apply: microseg's verdicts hold and the other rules are untouched", async () => {
    for (const name of MANAGED) expect(await microsegTable(host(name).netns)).not.toEqual([]);
    await expectOthersUntouched();
    expect(await probe()).toEqual(V1);
  });

  it("a drop by another firewall is that firewall's: ufw drops web -> app tcp/9000, microseg admitted it", async () => {
    const app = host("app").netns;
    const counts = async () => ({
      microseg: (await chainCounters(app, "inet", "microseg", "input"))
        .filter((r) => r.comment === "web-to-app")
        .reduce((n, r) => n + r.packets, 0),
      // ufw's INPUT ends in `-j ufw-track-input` (empty with incoming deny), then its policy
      // drop: this rule counts what ufw let fall through to the drop.
      ufwPolicy: (await chainCounters(app, "ip", "filter", "INPUT")).at(-1)?.packets ?? 0,
    });
    const before = await counts();
    const web = { name: host("web").netns } as Netns;
    expect(await probeTcp(web, host("app").address, 9000, { ms: 700 })).toBe(false);
    const after = await counts();
    expect(after.microseg).toBeGreaterThan(before.microseg);
    expect(after.ufwPolicy).toBeGreaterThan(before.ufwPolicy);
  });

  it("(a) a policy change: applied through the other firewalls, which stay as they were", async () => {
    const text = `${await activePolicy()}${V2_RULE}`;
    await labApi(api, "PUT", "/api/v1/policy/draft", { text });
    await labApi(api, "POST", "/api/v1/policy/provision", {});
    await waitConverged(api, MANAGED, 10_000);
    await expectOthersUntouched();
    expect(await probe()).toEqual(V2);
  });

  it("(b) a drift restore puts microseg's table back and nothing else", async () => {
    for (const name of MANAGED) {
      const netns = host(name).netns;
      const table = await microsegTable(netns);
      const [first] = await microsegRuleHandles(netns, "input");
      await deleteMicrosegRule(netns, "input", first ?? -1);
      const took = await eventually(
        async () => JSON.stringify(await microsegTable(netns)) === JSON.stringify(table),
        10_000,
        `${name}'s agent restores its table`,
        50,
      );
      console.log(`coexistence: ${name}'s inet microseg restored ${took} ms after a rule delete`);
    }
    await expectOthersUntouched();
    expect(await probe()).toEqual(V2);
  });

  it("(c) agents restarted on their state: the same table, the other rules untouched", async () => {
    const tables = new Map<string, string[]>();
    for (const name of MANAGED) tables.set(name, await microsegTable(host(name).netns));
    for (const name of MANAGED) await labStopAgent(name, { dir });
    for (const name of MANAGED) labStartAgent(name, { dir });
    for (const name of MANAGED) await agentConverged(api, name, 15_000);
    for (const name of MANAGED) {
      expect(await microsegTable(host(name).netns), name).toEqual(tables.get(name));
    }
    await expectOthersUntouched();
    expect(await probe()).toEqual(V2);
  });

  it("an nftables.conf reload that flushes the ruleset: the agent puts its table back", async () => {
    const db = host("db").netns;
    const table = await microsegTable(db);
    await reloadFlushingRuleset(db);
    const took = await eventually(
      async () => JSON.stringify(await microsegTable(db)) === JSON.stringify(table),
      10_000,
      "db's agent restores its table after the flush",
      50,
    );
    console.log(`coexistence: inet microseg back ${took} ms after a flush ruleset reload`);
    await expectOthersUntouched();
    expect(await probe()).toEqual(V2);
  });

  it("legacy iptables rules are invisible to nft and still drop at the same hook", async (ctx) => {
    const web = host("web").netns;
    const rule = ["INPUT", "-p", "tcp", "--dport", "80", "-j", "DROP"];
    const add = await run("ip", ["netns", "exec", web, "iptables-legacy", "-A", ...rule]);
    if (add.code !== 0) ctx.skip(`no legacy iptables here: ${add.stderr.trim()}`);
    try {
      const now = await otherRules(web);
      expect(now.nft).toEqual(loaded.get("web")?.nft);
      expect(now.legacy).toContain("-A INPUT -p tcp -m tcp --dport 80 -j DROP");
      expect(await probe()).toEqual(V2.filter((p) => p !== "client -> web tcp/80"));
    } finally {
      await run("ip", ["netns", "exec", web, "iptables-legacy", "-D", ...rule]);
    }
    expect(await probe()).toEqual(V2);
  });

  it("a port Docker publishes is forwarded to its container: microseg's input chain never judges it", async () => {
    const web = host("web");
    const client = { name: host("client").netns } as Netns;
    const remove = await startContainer(web.netns, "mseg-t-cox-ctr");
    try {
      // The policy lets the client reach web on tcp/80 only, and web itself listens on nothing
      // else; Docker's nat PREROUTING DNATs 8080 to 172.17.0.2:80, which FORWARD delivers.
      expect(await probeTcp(client, web.address, 8080, { ms: 700 })).toBe(true);
      expect(await probeTcp(client, web.address, 5432, { ms: 700 })).toBe(false);
    } finally {
      await remove();
    }
  });
});

async function activePolicy(): Promise<string> {
  const active = await labApi<{ text: string }>(api, "GET", "/api/v1/policy/active");
  return active.text.endsWith("\n") ? active.text : `${active.text}\n`;
}
