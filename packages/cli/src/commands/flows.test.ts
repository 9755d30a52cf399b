// `microseg flows` and `microseg map` against a real controller (plain http on 127.0.0.1, SQLite),
// with flows reported through the agent channel as an agent would.
import { beforeAll, describe, expect, it } from "vitest";
import { enrolAgent, reportFlows, useCli, useController } from "../testing/online.js";

const online = useController();
const { run } = useCli();

const enrol = (name: string, address: string, labels: Record<string, string>) =>
  enrolAgent(online.current, name, address, labels);

const report = (credential: string, seq: number, records: unknown[]) =>
  reportFlows(online.current, credential, seq, records);

let web = "";
beforeAll(async () => {
  web = await enrol("web-1", "198.18.1.10", { app: "shop", role: "web" });
  const db = await enrol("db-1", "198.18.1.20", { app: "shop", role: "db" });
  const now = Date.now();
  await report(web, 1, [
    ["out", "tcp", "198.18.1.10", "198.18.1.20", 22, "blocked", 2, 2, 0, now - 9000, now - 8000],
    ["out", "udp", "198.18.1.10", "203.0.113.53", 53, "allowed", 4, 8, 400, now - 7000, now - 6000],
  ]);
  await report(db, 1, [
    [
      "in",
      "tcp",
      "198.18.1.20",
      "198.18.1.10",
      5432,
      "allowed",
      12,
      90,
      9000,
      now - 5000,
      now - 1000,
    ],
  ]);
});

describe("microseg flows", () => {
  it("--json prints exactly { edges } with the contract's fields", async () => {
    const r = await run(["flows", "--json", ...online.current.flags]);
    expect(r.code).toBe(0);
    const body = JSON.parse(r.out);
    expect(Object.keys(body)).toEqual(["edges"]);
    expect(body.edges).toHaveLength(3);
    const db = body.edges.find((e: { port: string }) => e.port === "tcp/5432");
    expect(db).toMatchObject({ from: "web-1", to: "db-1", verdict: "allowed", count: 12 });
    expect(Date.parse(db.firstSeen)).toBeLessThanOrEqual(Date.parse(db.lastSeen));
  });

  it("prints a table by default and passes the filters", async () => {
    const all = await run(["flows", ...online.current.flags]);
    expect(all.out).toMatch(
      /^FROM\s+TO\s+PORT\s+VERDICT\s+OUTCOME\s+COUNT\s+FIRST SEEN\s+LAST SEEN\s+RULE\n/,
    );
    expect(all.out).toMatch(/web-1\s+203\.0\.113\.53\s+udp\/53\s+allowed\s+established\s+4/);
    const denied = await run(["flows", "--verdict", "blocked", "--json", ...online.current.flags]);
    expect(JSON.parse(denied.out).edges.map((e: { port: string }) => e.port)).toEqual(["tcp/22"]);
    const toDb = await run([
      "flows",
      "--to",
      "db-1",
      "--port",
      "tcp/5432",
      "--since",
      "1h",
      "--json",
      ...online.current.flags,
    ]);
    expect(JSON.parse(toDb.out).edges).toHaveLength(1);
    const byLabel = await run(["flows", "--label", "role=db", "--json", ...online.current.flags]);
    expect(JSON.parse(byLabel.out).edges).toHaveLength(2);
    const none = await run(["flows", "--workload", "nobody", ...online.current.flags]);
    expect(none.out).toBe("no flows match\n");
  });

  it("names a bad filter", async () => {
    const label = await run(["flows", "--label", "oops", ...online.current.flags]);
    expect(label.code).toBe(2);
    expect(label.err).toMatch(/--label "oops" is not key=value/);
    const since = await run(["flows", "--since", "yesterday", ...online.current.flags]);
    expect(since.code).not.toBe(0);
    expect(since.err).toMatch(/since: "yesterday"/);
    const verdict = await run(["flows", "--verdict", "maybe", ...online.current.flags]);
    expect(verdict.code).toBe(2);
  });

  it("--help teaches with examples", async () => {
    const r = await run(["flows", "--help"]);
    expect(r.out).toMatch(/--since 24h/);
    expect(r.out).toMatch(/would-block/);
  });
});

describe("microseg map", () => {
  it("groups by a label and prints nodes and edges, or the JSON", async () => {
    const json = await run(["map", "--group-by", "role", "--json", ...online.current.flags]);
    expect(json.code).toBe(0);
    const map = JSON.parse(json.out);
    expect(map.nodes.map((n: { id: string }) => n.id).sort()).toEqual([
      "203.0.113.53",
      "role=db",
      "role=web",
    ]);
    expect(map.edges).toContainEqual(
      expect.objectContaining({ from: "role=web", to: "role=db", port: "tcp/5432", count: 12 }),
    );
    const text = await run(["map", ...online.current.flags]);
    expect(text.out).toMatch(/^NODE\s+KIND\s+MEMBERS \/ LABELS\n/);
    expect(text.out).toMatch(/^FROM\s+TO\s+PORT\s+VERDICT\s+OUTCOME\s+COUNT\s+LAST SEEN$/m);
    expect(text.out).toMatch(/web-1\s+db-1\s+tcp\/5432\s+allowed\s+established\s+12/);
  });
});

describe("microseg flows --outcome", () => {
  beforeAll(async () => {
    const now = Date.now();
    const out = (port: number, count: number, outcome?: string) => [
      ...["out", "tcp", "198.18.1.10", "203.0.113.80", port, "allowed", count, count, 0],
      ...[now - 3000, now - 2000],
      ...(outcome === undefined ? [] : [outcome]),
    ];
    // web-1 tries an outside host: 23 refused, 25 unanswered, 443 answered once of three.
    await report(web, 2, [
      out(23, 2, "refused"),
      out(25, 3, "unanswered"),
      out(443, 1, "established"),
      out(443, 2, "unanswered"),
    ]);
  });

  it("filters by the edge's outcome and shows it, as a column and in --json", async () => {
    const of = async (outcome: string) => {
      const r = await run(["flows", "--outcome", outcome, "--json", ...online.current.flags]);
      expect(r.code).toBe(0);
      return JSON.parse(r.out).edges.map((e: { port: string; outcome: string }) => e.port);
    };
    expect(await of("refused")).toEqual(["tcp/23"]);
    expect((await of("unanswered")).sort()).toEqual(["tcp/22", "tcp/25"]);
    expect((await of("established")).sort()).toEqual(["tcp/443", "tcp/5432", "udp/53"]);
    const json = JSON.parse((await run(["flows", "--json", ...online.current.flags])).out);
    const https = json.edges.find((e: { port: string }) => e.port === "tcp/443");
    expect([https.outcome, https.count]).toEqual(["established", 3]);
    const text = await run(["flows", "--to", "203.0.113.80", ...online.current.flags]);
    expect(text.out).toMatch(/web-1\s+203\.0\.113\.80\s+tcp\/23\s+allowed\s+refused\s+2\s/);
    expect(text.out).toMatch(/tcp\/25\s+allowed\s+unanswered\s+3\s/);
    const bad = await run(["flows", "--outcome", "reset", ...online.current.flags]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/established, refused, unanswered/);
  });
});
