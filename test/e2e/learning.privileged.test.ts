// Traffic self-learning end to end, through the `microseg` command as a user drives it: a
// three-tier application plus noise runs traffic in learn mode; the controller shows exactly the
// edges that traffic made; the recommended policy, provisioned and enforced, lets the observed
// traffic through and blocks a connection that was never observed; replay of a draft that
// removes a rule reports exactly the flows that rule allowed; a controller restart loses no edge.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { labProbe, labStartController, labStopController } from "@microseg/lab";
import { describePrivileged } from "@microseg/nft/testing";
import { expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { runMain } from "../../packages/cli/src/testing/run-main.js";
import { tempStateDir, useLab } from "../../packages/lab/src/testing/lab-fixtures.js";
import { connectOnce, eventually, flow, runFlows } from "./traffic.js";

const dir = tempStateDir();
const SCENARIO = join(import.meta.dirname, "testdata/learning.yaml");

const OBSERVED = [
  flow("web-1", "app-1", "tcp/8000"),
  flow("web-1", "app-2", "tcp/8000"),
  flow("web-2", "app-1", "tcp/8000"),
  flow("web-2", "app-2", "tcp/8000"),
  flow("app-1", "db-1", "tcp/5432"),
  flow("app-2", "db-1", "tcp/5432"),
  // noise: logs to the monitor, an outside client of the web tier
  flow("web-1", "mon-1", "udp/514"),
  flow("db-1", "mon-1", "udp/514"),
  flow("outside", "web-1", "tcp/80"),
];
const key = (e: { from: string; to: string; port: string }) => `${e.from} -> ${e.to} ${e.port}`;
const EXPECTED = OBSERVED.map(key).sort();

interface Recommendation {
  yaml: string;
  rules: { name: string; from: string; to: string; services: string[] }[];
  coverage: { edges: number; coveredEdges: number };
}
interface Replay {
  newlyBlocked: { edges: number; list: { edge: Edge }[]; byRule: { key: string }[] };
  newlyAllowed: { edges: number };
}
let recommended: Recommendation;

interface Edge {
  from: string;
  to: string;
  port: string;
  verdict: string;
  count: number;
  firstSeen: string;
  lastSeen: string;
}

async function cli(...args: string[]) {
  const r = await runMain(args);
  if (r.code !== 0 && r.code !== 1)
    throw new Error(`microseg ${args.join(" ")}: ${r.code}\n${r.err}`);
  return r;
}

async function edges(...filters: string[]): Promise<Edge[]> {
  const r = await cli("flows", "--json", ...filters);
  return (JSON.parse(r.out) as { edges: Edge[] }).edges;
}

/** Edges between lab hosts (the agents' own channel to the controller is not a workload edge). */
async function hostEdges(): Promise<string[]> {
  return (await edges())
    .filter((e) => !e.to.startsWith("198.18.0.1") && e.verdict === "allowed")
    .map(key)
    .sort();
}

describePrivileged("learning end to end: flows, recommendation, enforcement, replay", () => {
  useLab(SCENARIO, dir, { cliEnv: true });

  it("learn mode: the controller shows exactly the edges the traffic made, with counts", async () => {
    expect(await runFlows(dir, OBSERVED, 3)).toBe(OBSERVED.length * 3);
    const seen = await eventually(
      async () => {
        const e = await hostEdges();
        return e.length >= EXPECTED.length ? e : undefined;
      },
      10_000,
      "every observed edge at the controller",
    );
    expect(seen).toEqual(EXPECTED);
    // an edge shows with its first report; the last of its three connections may come a flush later
    const all = await eventually(
      async () => {
        const e = await edges("--from", "web-1", "--to", "app-1");
        return (e[0]?.count ?? 0) >= 3 ? e : undefined;
      },
      10_000,
      "the three web-1 -> app-1 connections counted",
    );
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ verdict: "allowed", port: "tcp/8000" });
    expect(all[0]?.count).toBeGreaterThanOrEqual(3);
    expect(Date.parse(all[0]?.lastSeen ?? "")).toBeGreaterThanOrEqual(
      Date.parse(all[0]?.firstSeen ?? ""),
    );
  });

  it("the recommended policy covers every observed flow and is label based", async () => {
    const r = await cli("policy", "recommend", "--since", "1h", "--save", "--json");
    expect(r.code).toBe(0);
    recommended = JSON.parse(r.out) as Recommendation;
    expect(recommended.coverage.coveredEdges).toBe(recommended.coverage.edges);
    expect(recommended.coverage.edges).toBe(EXPECTED.length);
    // label based: the tiers are named by their labels; only the outside host (no agent, no
    // labels) is named by its address
    expect(recommended.yaml).toMatch(/role: "?web"?/);
    expect(recommended.yaml).toMatch(/198\.18\.0\.16\/32/);
    for (const managed of ["10", "11", "12", "13", "14", "15"]) {
      expect(recommended.yaml).not.toContain(`198.18.0.${managed}/`);
    }
    expect((await cli("policy", "provision", "-m", "recommended")).code).toBe(0);
  });

  it("enforced, the recommendation lets observed traffic through and blocks the unobserved", async () => {
    for (const host of ["web-1", "web-2", "app-1", "app-2", "db-1", "mon-1"]) {
      expect((await cli("workloads", "mode", host, "enforce")).code).toBe(0);
    }
    await eventually(
      async () =>
        (await connectOnce(dir, flow("web-1", "db-1", "tcp/5432"))) !== 0 ? true : undefined,
      10_000,
      "web-1 -> db-1 blocked once enforcing",
    );
    for (const f of OBSERVED) expect(await connectOnce(dir, f), key(f)).toBe(0);
    const probe = await labProbe({ dir });
    const verdict = (from: string, to: string, port: string) =>
      probe.results.find((x) => x.from === from && x.to === to && x.port === port)?.verdict;
    expect(verdict("web-1", "db-1", "tcp/5432")).toBe("blocked");
    expect(verdict("web-1", "db-1", "tcp/22")).toBe("blocked");
    expect(verdict("app-1", "db-1", "tcp/5432")).toBe("allowed");
  });

  it("replay of a draft without the app -> db rule reports exactly the flows it allowed", async () => {
    const appToDb = recommended.rules.find(
      (r) => r.to.includes("role=db") && r.services.includes("tcp/5432"),
    );
    if (appToDb === undefined) throw new Error(`no app -> db rule in ${recommended.yaml}`);
    const doc = parse(recommended.yaml) as { rules: { name: string }[] };
    doc.rules = doc.rules.filter((rule) => rule.name !== appToDb.name);
    const file = join(dir, "without-db.yaml");
    writeFileSync(file, stringify(doc));
    expect((await cli("policy", "apply", file)).code).toBe(0);

    const r = await runMain(["policy", "diff", "--replay", "1h", "--json"]);
    expect(r.code, r.err).toBe(1);
    const { replay } = JSON.parse(r.out) as { replay: Replay };
    expect(replay.newlyBlocked.list.map((x) => key(x.edge)).sort()).toEqual([
      "app-1 -> db-1 tcp/5432",
      "app-2 -> db-1 tcp/5432",
    ]);
    expect(replay.newlyAllowed.edges).toBe(0);
    expect(replay.newlyBlocked.byRule.map((g) => g.key)).toEqual([appToDb.name]);
  });

  it("a controller restart loses no edge", async () => {
    const before = await hostEdges();
    await labStopController({ dir });
    await labStartController({ dir });
    expect(await hostEdges()).toEqual(before);
  });
});
