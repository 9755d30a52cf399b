// A lab of fifty hosts is exact: the first probe right after `lab up` (no neighbour resolved, no
// bridge entry learned) reports every pair of a learn-mode lab allowed, over IPv4 and IPv6; with
// hosts switched to enforce, it reports blocked exactly where the policy blocks.
import { describePrivileged } from "@microseg/nft/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { listAgents } from "./control-plane.js";
import { labDown, labNamespaces, labProbe, labUp, type ProbeResult, readState } from "./index.js";
import { labApi } from "./lab-api.js";
import { run } from "./sys/run.js";
import { labControllerApi, scenario, tempStateDir } from "./testing/lab-fixtures.js";

const dir = tempStateDir();
const HOSTS = 50;
const PORTS = ["tcp/80", "udp/53"];
const ENFORCING = ["h0", "h1", "h2", "h3", "h4", "h5", "h6", "h7", "h8", "h9"];

const blocked = (results: readonly ProbeResult[]) =>
  results.filter((r) => r.verdict === "blocked").map((r) => `${r.from} -> ${r.to} ${r.port}`);

describePrivileged("lab at fifty hosts: a probe's verdicts hold", () => {
  let upMs = 0;
  beforeAll(async () => {
    await labDown({ dir });
    upMs = (await labUp(scenario("learn-50"), { dir })).ms;
  }, 180_000);
  afterAll(async () => {
    await labDown({ dir });
    expect(await labNamespaces()).toEqual([]);
  });

  it("the first probe of a cold learn-mode lab finds every pair allowed, IPv4 then IPv6", async () => {
    const started = Date.now();
    const v4 = await labProbe({ dir });
    const v4Ms = Date.now() - started;
    expect(v4.results).toHaveLength(HOSTS * (HOSTS - 1) * PORTS.length);
    expect(blocked(v4.results)).toEqual([]);
    const v6 = await labProbe({ dir, family: 6 });
    expect(v6.results).toHaveLength(HOSTS * (HOSTS - 1) * PORTS.length);
    expect(blocked(v6.results)).toEqual([]);
    expect(v4Ms).toBeLessThan(10_000);
    console.log(`lab up of ${HOSTS} hosts: ${upMs} ms; cold IPv4 probe: ${v4Ms} ms`);
  });

  it("with ten hosts enforcing, a probe reports blocked exactly where the policy blocks", async () => {
    const api = labControllerApi(dir);
    const before = new Map((await listAgents(api)).map((a) => [a.workload, a.currentHash]));
    for (const host of ENFORCING) {
      await labApi(api, "PATCH", `/api/v1/workloads/${host}`, { mode: "enforce" });
    }
    await enforcing(api, before);
    const hosts = readState(dir)?.hosts ?? [];
    // Enforce mode lets established connections finish (`ct state established accept`): a UDP
    // probe of the first test whose conntrack entry lives on (30 s or more) passes again when a
    // new probe's random source port happens to be the same. Blocked means blocked for new
    // connections: the entries go, as `lab apply-policy` flushes them.
    await Promise.all(hosts.map((h) => run("ip", ["netns", "exec", h.netns, "conntrack", "-F"])));
    const { results } = await labProbe({ dir });
    const expected = results
      .filter((r) => !policyAllows(r.from, r.to, r.port))
      .map((r) => `${r.from} -> ${r.to} ${r.port}`);
    // 10 enforcing hosts, 40 learning: every pair touching an enforcing host is blocked unless
    // a rule allows it (t0 -> t1 tcp/80, t1 -> t2 udp/53)
    expect(expected.length).toBeGreaterThan(1500);
    expect(blocked(results)).toEqual(expected);
    expect(hosts.filter((h) => ENFORCING.includes(h.name))).toHaveLength(ENFORCING.length);
    // Ten PATCHes, up to 30 s for the agents, a conntrack flush in fifty hosts and a probe of
    // 4,900 pairs whose 1,500 silent ones wait out three waves: more than the default 30 s on a
    // loaded machine.
  }, 90_000);
});

function tier(host: string): number {
  return Number(host.slice(1)) % 5;
}

/** The scenario's policy (learn-50-policy.yaml) at each end, with ENFORCING in enforce mode. */
function policyAllows(from: string, to: string, port: string): boolean {
  const rule =
    (tier(from) === 0 && tier(to) === 1 && port === "tcp/80") ||
    (tier(from) === 1 && tier(to) === 2 && port === "udp/53");
  const open = (host: string) => !ENFORCING.includes(host) || rule;
  return open(from) && open(to);
}

/** Until the agents of ENFORCING applied a RuleSet other than `before` (bounded, 30 s). */
async function enforcing(
  api: ReturnType<typeof labControllerApi>,
  before: ReadonlyMap<string, string>,
): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const rows = await listAgents(api);
    const done = ENFORCING.every((h) => {
      const a = rows.find((r) => r.workload === h && !r.revoked);
      return a !== undefined && a.currentHash !== before.get(h) && a.appliedHash === a.currentHash;
    });
    if (done) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the agents of ${ENFORCING.join(", ")} did not apply enforce mode within 30 s`);
}
