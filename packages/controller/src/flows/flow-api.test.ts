// GET /api/v1/flows and /api/v1/map through app.request() with the memory store: filters, time
// parameters, label resolution, grouping, and answers that match the protocol schemas.
import { FlowEdgeListSchema, MapSchema } from "@microseg/protocol";
import type { EdgeDelta } from "@microseg/store";
import { fakeClock } from "@microseg/store/testing";
import { describe, expect, it } from "vitest";
import { testController } from "../test-helpers.js";

const NOW = Date.parse("2026-03-01T12:00:00.000Z");
const H = 3_600_000;

function delta(over: Partial<EdgeDelta>): EdgeDelta {
  const last = over.last ?? NOW - 60_000;
  return {
    bucket: Math.floor(last / H) * H,
    from: "web-1",
    fromKind: "workload",
    to: "db-1",
    toKind: "workload",
    port: "tcp/5432",
    verdict: "allowed",
    rule: null,
    count: 1,
    packets: 0,
    bytes: 0,
    first: last - 1000,
    last,
    ...over,
  };
}

async function graph() {
  const clock = fakeClock(new Date(NOW).toISOString());
  const t = await testController({ clock: clock.now });
  const put = (name: string, labels: Record<string, string>, mode = "enforce") =>
    t.call("PUT", `/api/v1/workloads/${name}`, { labels, addresses: [], mode });
  await put("web-1", { app: "shop", role: "web" });
  await put("web-2", { app: "shop", role: "web" }, "test");
  await put("db-1", { app: "shop", role: "db" });
  await put("mon-1", { app: "ops" });
  await t.store.flows.applyBatch("seed", 1, [
    delta({ count: 5 }),
    delta({ from: "web-2", count: 2, last: NOW - 2 * H }),
    delta({ from: "web-2", verdict: "would-block", port: "tcp/22", rule: "no-ssh" }),
    delta({
      from: "203.0.113.9",
      fromKind: "address",
      verdict: "blocked",
      last: NOW - 3 * 86_400_000,
    }),
    delta({ from: "mon-1", to: "web-1", port: "tcp/9100", count: 9 }),
  ]);
  const get = async (path: string) => {
    const res = await t.call("GET", path);
    return res;
  };
  const pairs = async (q: string) =>
    (await get(`/api/v1/flows${q}`)).body.edges.map(
      (e: { from: string; to: string; port: string }) => `${e.from}>${e.to} ${e.port}`,
    );
  return { t, get, pairs };
}

describe("GET /api/v1/flows", () => {
  it("answers every edge with the fields of the contract, matching the schema", async () => {
    const { get } = await graph();
    const res = await get("/api/v1/flows");
    expect(res.status).toBe(200);
    expect(FlowEdgeListSchema.parse(res.body)).toEqual(res.body);
    expect(res.body.edges).toHaveLength(5);
    expect(res.body.edges.find((e: { port: string }) => e.port === "tcp/22")).toEqual({
      from: "web-2",
      to: "db-1",
      fromKind: "workload",
      toKind: "workload",
      port: "tcp/22",
      verdict: "would-block",
      outcome: "established",
      outcomes: { established: 1, refused: 0, unanswered: 0 },
      count: 1,
      packets: 0,
      bytes: 0,
      firstSeen: new Date(NOW - 61_000).toISOString(),
      lastSeen: new Date(NOW - 60_000).toISOString(),
      rule: "no-ssh",
    });
  });

  it("filters by ends, workload, port, verdict and limit", async () => {
    const { pairs } = await graph();
    expect(await pairs("?from=web-2")).toEqual(["web-2>db-1 tcp/22", "web-2>db-1 tcp/5432"]);
    expect(await pairs("?to=web-1")).toEqual(["mon-1>web-1 tcp/9100"]);
    expect((await pairs("?workload=web-1")).sort()).toEqual([
      "mon-1>web-1 tcp/9100",
      "web-1>db-1 tcp/5432",
    ]);
    expect(await pairs("?port=TCP/22")).toEqual(["web-2>db-1 tcp/22"]);
    expect(await pairs("?verdict=blocked")).toEqual(["203.0.113.9>db-1 tcp/5432"]);
    expect(await pairs("?to=db-1&limit=1")).toHaveLength(1);
  });

  it("resolves label=k=v[,k=v] to the workloads carrying all of them, on either end", async () => {
    const { pairs } = await graph();
    expect((await pairs("?label=app=ops")).sort()).toEqual(["mon-1>web-1 tcp/9100"]);
    expect((await pairs("?label=app=shop,role=web")).sort()).toEqual([
      "mon-1>web-1 tcp/9100",
      "web-1>db-1 tcp/5432",
      "web-2>db-1 tcp/22",
      "web-2>db-1 tcp/5432",
    ]);
    expect(await pairs("?label=app=nothing")).toEqual([]);
    expect(await pairs("?label=role=web&workload=mon-1")).toEqual(["mon-1>web-1 tcp/9100"]);
  });

  it("takes since/until as durations back from now or ISO times", async () => {
    const { pairs, get } = await graph();
    expect(await pairs("?since=1h")).toHaveLength(3);
    expect(await pairs("?since=1d")).toHaveLength(4);
    expect(await pairs("?since=7d")).toHaveLength(5);
    expect(await pairs(`?until=${new Date(NOW - 86_400_000).toISOString()}`)).toEqual([
      "203.0.113.9>db-1 tcp/5432",
    ]);
    const bad = await get("/api/v1/flows?since=yesterday");
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/since: "yesterday".*15m, 24h, 7d/);
    expect((await get("/api/v1/flows?label=app")).body.error.message).toContain("key=value");
    expect((await get("/api/v1/flows?verdict=maybe")).status).toBe(400);
  });

  it("needs an admin token", async () => {
    const { t } = await graph();
    expect((await t.call("GET", "/api/v1/flows", undefined, false)).status).toBe(401);
    expect((await t.call("GET", "/api/v1/map", undefined, false)).status).toBe(401);
  });
});

describe("GET /api/v1/map", () => {
  it("at workload level: every workload a node, addresses too, edges merged per port", async () => {
    const { get } = await graph();
    const res = await get("/api/v1/map");
    expect(MapSchema.parse(res.body)).toEqual(res.body);
    const ids = res.body.nodes.map((n: { id: string; kind: string }) => `${n.kind}:${n.id}`);
    expect(ids.sort()).toEqual([
      "address:203.0.113.9",
      "workload:db-1",
      "workload:mon-1",
      "workload:web-1",
      "workload:web-2",
    ]);
    expect(res.body.nodes.find((n: { id: string }) => n.id === "web-2")).toEqual({
      id: "web-2",
      kind: "workload",
      label: "web-2",
      labels: { app: "shop", role: "web" },
      mode: "test",
    });
    expect(res.body.edges).toHaveLength(5);
  });

  it("grouped by a key no workload has (even an Object member's name): every workload alone", async () => {
    const { get } = await graph();
    for (const key of ["constructor", "__proto__", "toString"]) {
      const res = await get(`/api/v1/map?groupBy=${key}&since=1d`);
      expect(MapSchema.parse(res.body)).toEqual(res.body);
      expect(res.body.nodes.filter((n: { kind: string }) => n.kind === "group")).toEqual([]);
    }
  });

  it("grouped by a label: groups with members, ports merged per group pair", async () => {
    const { get } = await graph();
    const res = await get("/api/v1/map?groupBy=role&since=1d");
    expect(MapSchema.parse(res.body)).toEqual(res.body);
    const web = res.body.nodes.find((n: { id: string }) => n.id === "role=web");
    expect(web).toEqual({
      id: "role=web",
      kind: "group",
      label: "web",
      labels: { role: "web" },
      members: ["web-1", "web-2"],
    });
    expect(res.body.nodes.find((n: { id: string }) => n.id === "mon-1")?.kind).toBe("workload");
    const edges = res.body.edges.map(
      (e: { from: string; to: string; port: string; verdict: string; count: number }) =>
        `${e.from}>${e.to} ${e.port} ${e.verdict} ${e.count}`,
    );
    expect(edges).toEqual([
      "mon-1>role=web tcp/9100 allowed 9",
      "role=web>role=db tcp/22 would-block 1",
      "role=web>role=db tcp/5432 allowed 7",
    ]);
  });
});

describe("connection outcomes on /flows and /map", () => {
  async function scanned() {
    const { t, get } = await graph();
    // web-1 answered on tcp/5432 before; now mon-1 sweeps db-1 and web-1: refused and silent ports.
    await t.store.flows.applyBatch("seed", 2, [
      delta({ from: "mon-1", port: "tcp/23", outcome: "refused", count: 2 }),
      delta({ from: "mon-1", port: "tcp/25", outcome: "unanswered", count: 3 }),
      delta({ from: "mon-1", to: "web-1", port: "tcp/23", outcome: "unanswered" }),
      delta({ from: "web-1", outcome: "refused", count: 4 }),
    ]);
    return { t, get };
  }

  it("answers outcome and outcomes per edge, and filters by outcome", async () => {
    const { get } = await scanned();
    const all = await get("/api/v1/flows");
    expect(FlowEdgeListSchema.parse(all.body)).toEqual(all.body);
    const webDb = all.body.edges.find(
      (e: { from: string; port: string }) => e.from === "web-1" && e.port === "tcp/5432",
    );
    expect([webDb.count, webDb.outcome, webDb.outcomes]).toEqual([
      9,
      "established",
      { established: 5, refused: 4, unanswered: 0 },
    ]);
    const ofOutcome = async (o: string) =>
      (await get(`/api/v1/flows?outcome=${o}`)).body.edges
        .map((e: { from: string; to: string; port: string }) => `${e.from}>${e.to} ${e.port}`)
        .sort();
    expect(await ofOutcome("refused")).toEqual(["mon-1>db-1 tcp/23"]);
    expect(await ofOutcome("unanswered")).toEqual([
      "203.0.113.9>db-1 tcp/5432",
      "mon-1>db-1 tcp/25",
      "mon-1>web-1 tcp/23",
    ]);
    expect(await ofOutcome("established")).toHaveLength(4);
    const bad = await get("/api/v1/flows?outcome=reset");
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/outcome/);
  });

  it("merges map edges' outcomes: established when any merged edge is", async () => {
    const { get } = await scanned();
    const res = await get("/api/v1/map?groupBy=app&since=1d");
    expect(MapSchema.parse(res.body)).toEqual(res.body);
    const edges = res.body.edges.map(
      (e: { from: string; to: string; port: string; outcome: string; outcomes: object }) => [
        `${e.from}>${e.to} ${e.port}`,
        e.outcome,
        e.outcomes,
      ],
    );
    expect(edges).toEqual([
      ["app=ops>app=shop tcp/23", "refused", { established: 0, refused: 2, unanswered: 1 }],
      ["app=ops>app=shop tcp/25", "unanswered", { established: 0, refused: 0, unanswered: 3 }],
      ["app=ops>app=shop tcp/9100", "established", { established: 9, refused: 0, unanswered: 0 }],
      ["app=shop>app=shop tcp/22", "established", { established: 1, refused: 0, unanswered: 0 }],
      ["app=shop>app=shop tcp/5432", "established", { established: 7, refused: 4, unanswered: 0 }],
    ]);
  });
});
