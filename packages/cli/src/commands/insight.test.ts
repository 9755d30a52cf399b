// The learning commands against a real controller (plain http on 127.0.0.1, SQLite) whose flows
// arrive through the agent channel: policy recommend, policy diff --replay (exit 1 when the draft
// newly blocks a recorded flow), workloads suggest/accept, flows explain, blast-radius.
import { loadPolicy } from "@microseg/core";
import { beforeAll, describe, expect, it } from "vitest";
import { enrolAgent, reportFlows, useCli, useController } from "../testing/online.js";

const online = useController();
const { run } = useCli();

const POLICY = `
rules:
  - { name: lb-web, from: { role: lb }, to: { role: web }, services: [tcp/80] }
  - { name: web-db, from: { role: web }, to: { role: db }, services: [tcp/5432] }
`;
const WITHOUT_WEB_DB = POLICY.replace(/ {2}- \{ name: web-db.*\n/, "");

const enrol = (name: string, address: string, labels: Record<string, string>) =>
  enrolAgent(online.current, name, address, labels);

/** What a server's agent reports: connections it received from `clients` on `port`. */
async function served(credential: string, own: string, clients: string[], port: number) {
  const now = Date.now();
  const records = clients.map((c) => [
    "in",
    "tcp",
    own,
    c,
    port,
    "allowed",
    50,
    100,
    9000,
    now - 5000,
    now - 1000,
  ]);
  await reportFlows(online.current, credential, 1, records);
}

const flags = () => online.current.flags;

beforeAll(async () => {
  await enrol("lb-1", "198.18.1.1", { app: "shop", role: "lb" });
  const webs = [
    await enrol("web-1", "198.18.1.11", { app: "shop", role: "web" }),
    await enrol("web-2", "198.18.1.12", { app: "shop", role: "web" }),
    await enrol("web-3", "198.18.1.13", {}),
  ];
  const db = await enrol("db-1", "198.18.1.20", { app: "shop", role: "db" });
  // The policy first, so the enforcing workloads' traffic is explained: reported with no policy
  // it would be lateral movement, and its source held back from the recommendation.
  await online.current.api.putDraft(POLICY);
  await online.current.api.provision({ comment: "lb and web" });
  for (const [i, cred] of webs.entries())
    await served(cred, `198.18.1.1${i + 1}`, ["198.18.1.1"], 80);
  await served(db, "198.18.1.20", ["198.18.1.11", "198.18.1.12", "198.18.1.13"], 5432);
});

describe("microseg policy recommend", () => {
  it("prints YAML the policy language accepts on stdout and the coverage on stderr", async () => {
    const r = await run(["policy", "recommend", "--since", "1h", ...flags()]);
    expect(r.code).toBe(0);
    expect(loadPolicy([{ file: "r.yaml", text: r.out }]).diagnostics).toEqual([]);
    expect(r.out).toContain('from: { app: "shop", role: "lb" }');
    // web-3 carries no labels: its two edges cannot be expressed
    expect(r.err).toMatch(/^coverage: 4 of 6 flow edges \(66\.6%\)/);
    expect(r.err).toMatch(
      /not covered: 198\.18|not covered: lb-1 -> web-3 tcp\/80: workload "web-3" has no labels/,
    );
    expect(r.err).toMatch(/not saved; --save makes it the draft/);
    const json = await run(["policy", "recommend", "--json", ...flags()]);
    expect(JSON.parse(json.out).coverage.edges).toBe(6);
  });
});

describe("microseg policy diff --replay", () => {
  it("exits 1 and lists what a draft newly blocks; 0 when it blocks nothing", async () => {
    await online.current.api.putDraft(WITHOUT_WEB_DB);
    const r = await run(["policy", "diff", "--replay", "1h", ...flags()]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/newly blocked: 2 flow edges, 100 connections/);
    expect(r.out).toMatch(/allowed before by web-db: 2 edges/);
    expect(r.out).toMatch(/denied now by \(default\): 2 edges/);
    expect(r.out).toMatch(
      /web-1 -> db-1 tcp\/5432 \(50x\): web-db -> \(default\), on the wire: blocked/,
    );
    const json = await run(["policy", "diff", "--replay", "1h", "--json", ...flags()]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out).replay.newlyBlocked.byRule).toEqual([
      { key: "web-db", edges: 2, connections: 100 },
    ]);
    await online.current.api.putDraft(`${POLICY}\n# only a comment changed\n`);
    const fine = await run(["policy", "diff", "--replay", "1h", ...flags()]);
    expect(fine.code).toBe(0);
    expect(fine.out).toMatch(/newly blocked: 0 flow edges/);
  });

  it("documents the exit code in --help", async () => {
    const r = await run(["policy", "diff", "--help"]);
    expect(r.out).toMatch(/1 when the draft newly blocks any recorded flow/);
  });
});

describe("microseg flows explain and blast-radius", () => {
  it("explains a recorded flow: verdict, rule per end, what was recorded", async () => {
    const r = await run([
      "flows",
      "explain",
      "--from",
      "web-1",
      "--to",
      "db-1",
      "--port",
      "tcp/5432",
      ...flags(),
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /^web-1 -> db-1 tcp\/5432 at .* \(revision 1\): allowed \(policy says allow\)/,
    );
    expect(r.out).toMatch(
      /source web-1 \(outbound, mode enforce\): allow by rule web-db \(allow\) matching role=db/,
    );
    expect(r.out).toMatch(/recorded: allowed 50x/);
    const none = await run([
      "flows",
      "explain",
      "--from",
      "nope",
      "--to",
      "db-1",
      "--port",
      "tcp/1",
      ...flags(),
    ]);
    expect(none.code).toBe(2);
  });

  it("follows the active policy's edges for k hops", async () => {
    const one = await run(["blast-radius", "lb-1", "--hops", "1", "--json", ...flags()]);
    expect(JSON.parse(one.out).reachable.map((t: { workload: string }) => t.workload)).toEqual([
      "web-1",
      "web-2",
    ]);
    const two = await run(["blast-radius", "lb-1", "--hops", "2", ...flags()]);
    expect(two.code).toBe(0);
    expect(two.out).toMatch(/lb-1 reaches 3 workloads within 2 hops under the active policy/);
    expect(two.out).toMatch(/2 {2}db-1: lb-1 -> web-1 \[tcp\/80\] -> db-1 \[tcp\/5432\]/);
    const bad = await run(["blast-radius", "lb-1", "--hops", "0", ...flags()]);
    expect(bad.code).toBe(2);
  });
});

describe("microseg workloads suggest / accept", () => {
  it("suggests labels for the unlabelled web server and applies them", async () => {
    const s = await run(["workloads", "suggest", ...flags()]);
    expect(s.code).toBe(0);
    expect(s.out).toMatch(/web-3\s+app=shop\s+0\.\d\d/);
    expect(s.out).toMatch(/web-3\s+role=web\s+0\.67\s+serves tcp\/80 like web-1, web-2/);
    const usage = await run(["workloads", "accept", "web-3", ...flags()]);
    expect(usage.code).toBe(2);
    const a = await run(["workloads", "accept", "web-3", "--all", ...flags()]);
    expect(a.code).toBe(0);
    expect(a.out).toMatch(/^web-3: updated \(app=shop, role=web\)/);
    expect((await online.current.api.getWorkload("web-3")).labels).toEqual({
      app: "shop",
      role: "web",
    });
  });
});
