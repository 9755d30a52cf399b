// The learning routes through app.request() with the memory store: suggestions and accepting
// them (audited), recommendation (and saving it as the draft), replay of a draft that removes a
// rule, explain of a recorded flow under the revision of its time, blast radius. Every answer is
// checked against its protocol schema.
import { loadPolicy } from "@microseg/core";
import * as P from "@microseg/protocol";
import type { EdgeDelta } from "@microseg/store";
import { openMemoryStore } from "@microseg/store/memory";
import { fakeClock } from "@microseg/store/testing";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { testController } from "../test-helpers.js";

const H = 3_600_000;
const START = "2026-03-01T00:00:00.000Z";

const POLICY = `
rules:
  - { name: lb-web, from: { role: lb }, to: { role: web }, services: [tcp/80] }
  - { name: web-db, from: { role: web }, to: { role: db }, services: [tcp/5432] }
  - { name: scrape, from: { role: monitoring }, to: { app: shop }, services: [tcp/9100] }
`;

function delta(from: string, to: string, port: string, count: number, last: number): EdgeDelta {
  return {
    bucket: Math.floor(last / H) * H,
    from,
    fromKind: /^\d/.test(from) ? "address" : "workload",
    to,
    toKind: /^\d/.test(to) ? "address" : "workload",
    port,
    verdict: "allowed",
    rule: null,
    count,
    packets: 0,
    bytes: 0,
    first: last - 1000,
    last,
  };
}

async function estate() {
  const clock = fakeClock(START);
  const store = openMemoryStore({ clock: clock.now });
  const t = await testController({ store, clock: clock.now });
  const put = async (name: string, labels: Record<string, string>, address: string) => {
    const r = await t.call("PUT", `/api/v1/workloads/${name}`, { labels, addresses: [address] });
    expect(r.status).toBeLessThan(300);
  };
  await put("lb-1", { app: "shop", role: "lb" }, "198.18.0.1");
  await put("web-1", { app: "shop", role: "web" }, "198.18.0.2");
  await put("web-2", { app: "shop", role: "web" }, "198.18.0.3");
  await put("web-3", {}, "198.18.0.4");
  await put("db-1", { app: "shop", role: "db" }, "198.18.0.5");
  await put("mon-1", { app: "ops", role: "monitoring" }, "198.18.0.6");
  expect((await t.call("PUT", "/api/v1/policy/draft", POLICY)).status).toBe(200);
  expect((await t.call("POST", "/api/v1/policy/provision", { comment: "one" })).status).toBe(201);
  clock.advance(2 * H);
  const now = clock.now().getTime();
  const deltas = [
    delta("lb-1", "web-1", "tcp/80", 500, now - 60_000),
    delta("lb-1", "web-2", "tcp/80", 400, now - 60_000),
    delta("lb-1", "web-3", "tcp/80", 300, now - 60_000),
    delta("web-1", "db-1", "tcp/5432", 900, now - 60_000),
    delta("web-2", "db-1", "tcp/5432", 800, now - 60_000),
    delta("web-3", "db-1", "tcp/5432", 700, now - 60_000),
    delta("mon-1", "db-1", "tcp/9100", 20, now - 60_000),
    delta("mon-1", "web-1", "tcp/9100", 20, now - 60_000),
    delta("203.0.113.5", "lb-1", "tcp/443", 60, now - 60_000),
  ];
  await t.store.flows.applyBatch("seed", 1, deltas);
  return { ...t, clock };
}

const ok = <S extends z.ZodType>(schema: S, body: unknown) => {
  const parsed = schema.safeParse(body);
  expect(parsed.success, JSON.stringify(parsed.error?.issues?.[0])).toBe(true);
  return parsed.data as z.output<S>;
};

describe("GET /api/v1/insight/labels and POST /accept", () => {
  it("finds the shop group and suggests labels for the unlabelled web server", async () => {
    const t = await estate();
    const r = await t.call("GET", "/api/v1/insight/labels");
    expect(r.status).toBe(200);
    const body = ok(P.SuggestionsSchema, r.body);
    expect(body.edges).toBe(9);
    const shop = body.groups.find((g) => g.members.includes("web-3"));
    expect(shop?.members).toEqual(expect.arrayContaining(["lb-1", "web-1", "db-1"]));
    const mine = body.suggestions.filter((s) => s.workload === "web-3");
    expect(mine.map((s) => [s.key, s.value])).toEqual([
      ["app", "shop"],
      ["role", "web"],
    ]);
  });

  it("accepts every suggestion for a workload through the workload use case, audited", async () => {
    const t = await estate();
    const r = await t.call("POST", "/api/v1/insight/labels/accept", {
      workload: "web-3",
      all: true,
    });
    expect(r.status).toBe(200);
    const body = ok(P.AcceptedLabelsSchema, r.body);
    expect(body.workload.labels).toEqual({ app: "shop", role: "web" });
    expect(body.accepted).toEqual([
      { key: "app", value: "shop" },
      { key: "role", value: "web" },
    ]);
    const audit = await t.call("GET", "/api/v1/audit?target=workload/web-3");
    const last = audit.body.entries.at(-1);
    expect([last?.action, last?.actor, last?.after?.labels]).toEqual([
      "workload.update",
      "token/admin",
      { app: "shop", role: "web" },
    ]);
    const given = await t.call("POST", "/api/v1/insight/labels/accept", {
      workload: "web-3",
      labels: { env: "prod" },
    });
    expect(given.body.workload.labels).toEqual({ app: "shop", role: "web", env: "prod" });
    const none = await t.call("POST", "/api/v1/insight/labels/accept", {
      workload: "db-1",
      all: true,
    });
    expect([none.status, none.body.error.code]).toEqual([404, "MSEG_API_NOT_FOUND"]);
    const both = await t.call("POST", "/api/v1/insight/labels/accept", { workload: "db-1" });
    expect(both.status).toBe(400);
  });
});

describe("GET /api/v1/insight/recommend", () => {
  it("answers a draft that loads, covers what it can and can be saved as the draft", async () => {
    const t = await estate();
    const r = await t.call("GET", "/api/v1/insight/recommend?since=7d");
    expect(r.status).toBe(200);
    const body = ok(P.RecommendationSchema, r.body);
    expect(loadPolicy([{ file: "r.yaml", text: body.yaml }]).diagnostics).toEqual([]);
    // web-3 has no labels: its two edges cannot be expressed, everything else is covered.
    expect(body.coverage).toMatchObject({ edges: 9, coveredEdges: 7 });
    expect(body.coverage.uncovered.every((u) => /web-3.*no labels/.test(u.reason))).toBe(true);
    expect(body.rules.map((x) => x.name)).toContain("shop-web-to-shop-db");
    expect(body.yaml).toMatch(/^# Learned by microseg from 9 flow edges/);
    expect(body.saved).toBeNull();
    const saved = await t.call("GET", "/api/v1/insight/recommend?save=true");
    expect(saved.body.saved.text).toBe(saved.body.yaml);
    const draft = await t.call("GET", "/api/v1/policy/draft");
    expect(draft.body.text).toBe(saved.body.yaml);
    const future = await t.call("GET", "/api/v1/insight/recommend?until=3h");
    expect(future.body.coverage.edges).toBe(0);
    const bad = await t.call("GET", "/api/v1/insight/recommend?since=yesterday");
    expect(bad.status).toBe(400);
  });
});

describe("POST /api/v1/policy/replay", () => {
  it("reports the edges a draft without `scrape` newly blocks, by rule", async () => {
    const t = await estate();
    const draft = POLICY.replace(/ {2}- \{ name: scrape.*\n/, "");
    const r = await t.call("POST", "/api/v1/policy/replay", { since: "1d", draft });
    expect(r.status).toBe(200);
    const body = ok(P.ReplayReportSchema, r.body);
    expect(body).toMatchObject({ active: 1, draft: "given" });
    expect(body.newlyBlocked.list.map((x) => `${x.edge.from}>${x.edge.to}`)).toEqual([
      "mon-1>db-1",
      "mon-1>web-1",
    ]);
    expect(body.newlyBlocked.byRule).toEqual([{ key: "scrape", edges: 2, connections: 40 }]);
    // the saved draft equals the active revision: nothing changes
    const same = await t.call("POST", "/api/v1/policy/replay", {});
    expect([same.body.draft, same.body.newlyBlocked.edges]).toEqual(["saved", 0]);
    const invalid = await t.call("POST", "/api/v1/policy/replay", { draft: "rules: [{}]" });
    expect([invalid.status, invalid.body.error.code]).toEqual([422, "MSEG_POLICY_INVALID"]);
  });
});

describe("GET /api/v1/flows/explain", () => {
  it("explains a recorded flow under the revision active at the time given", async () => {
    const t = await estate();
    const before = t.clock.now().toISOString();
    const tighter = POLICY.replace("services: [tcp/5432]", "services: [tcp/6432]");
    await t.call("PUT", "/api/v1/policy/draft", tighter);
    t.clock.advance(60_000);
    await t.call("POST", "/api/v1/policy/provision", { comment: "two" });
    const q = "from=web-1&to=db-1&port=tcp/5432";
    const then = await t.call("GET", `/api/v1/flows/explain?${q}&at=${before}`);
    expect(then.status).toBe(200);
    const old = ok(P.FlowExplainSchema, then.body);
    expect(old.revision).toBe(1);
    expect(old.decision.policy).toBe("allow");
    expect(old.decision.steps.map((s) => s.rule?.id)).toEqual(["web-db", "web-db"]);
    expect(old.recorded.map((e) => e.count)).toEqual([900]);
    const now = ok(P.FlowExplainSchema, (await t.call("GET", `/api/v1/flows/explain?${q}`)).body);
    expect([now.revision, now.decision.verdict]).toEqual([2, "blocked"]);
    // Before anything existed: no revision, and web-1 was not a workload yet.
    const early = await t.call("GET", `/api/v1/flows/explain?${q}&at=2020-01-01T00:00:00Z`);
    expect(early.status).toBe(404);
    expect(early.body.error.message).toMatch(/"web-1" was not a workload at 2020-01-01T00:00:00/);
    const byAddress = await t.call(
      "GET",
      "/api/v1/flows/explain?from=198.18.0.2&to=198.18.0.5&port=tcp/5432&at=2020-01-01T00:00:00Z",
    );
    // Neither address belonged to a workload then: nothing enforced between them.
    expect(byAddress.body.revision).toBeNull();
    expect(byAddress.body.decision).toEqual({ verdict: "allowed", policy: "allow", steps: [] });
    const unknown = await t.call("GET", "/api/v1/flows/explain?from=nope&to=db-1&port=tcp/1");
    expect(unknown.status).toBe(404);
  });

  it("judges with the labels, modes and quarantines of then, from the audit log", async () => {
    const t = await estate();
    const q = "from=web-1&to=db-1&port=tcp/5432";
    const explainAt = async (at: string) =>
      ok(P.FlowExplainSchema, (await t.call("GET", `/api/v1/flows/explain?${q}&at=${at}`)).body);
    await t.call("PATCH", "/api/v1/workloads/db-1", { mode: "test" });
    t.clock.advance(60_000);
    const inTest = t.clock.now().toISOString();
    t.clock.advance(60_000);
    // web-1 loses its role (the web-db rule no longer selects it), then db-1 enforces and
    // web-1 is quarantined, then removed.
    await t.call("PATCH", "/api/v1/workloads/web-1", { labels: { role: null } });
    t.clock.advance(60_000);
    const unlabelled = t.clock.now().toISOString();
    t.clock.advance(60_000);
    await t.call("PATCH", "/api/v1/workloads/db-1", { mode: "enforce" });
    await t.call("POST", "/api/v1/workloads/web-1/quarantine", { reason: "test" });
    t.clock.advance(60_000);
    const quarantined = t.clock.now().toISOString();
    t.clock.advance(60_000);
    await t.call("DELETE", "/api/v1/workloads/web-1/quarantine");
    await t.call("DELETE", "/api/v1/workloads/web-1");

    const then = await explainAt(inTest);
    expect(then.decision.policy).toBe("allow");
    expect(then.decision.steps.find((s) => s.at === "destination")?.mode).toBe("test");
    expect(then.decision.steps.find((s) => s.at === "source")?.rule?.id).toBe("web-db");

    // Unlabelled, web-1 matched no rule: its own egress blocked it; db-1 was still in test mode.
    const later = await explainAt(unlabelled);
    expect(later.decision.verdict).toBe("blocked");
    expect(later.decision.steps.map((s) => [s.at, s.mode, s.policy])).toEqual([
      ["source", "enforce", "deny"],
      ["destination", "test", "deny"],
    ]);

    const q3 = await explainAt(quarantined);
    expect(q3.decision.verdict).toBe("blocked");
    expect(JSON.stringify(q3.decision.steps)).toMatch(/web-1 is quarantined/);

    // Today web-1 does not exist; the explanation of an old flow still names it.
    const gone = await t.call("GET", `/api/v1/flows/explain?${q}`);
    expect(gone.status).toBe(404);
  });
});

describe("GET /api/v1/insight/blast-radius", () => {
  it("follows the policy's edges for k hops, under the active policy or the draft", async () => {
    const t = await estate();
    const one = await t.call("GET", "/api/v1/insight/blast-radius?workload=lb-1&hops=1");
    expect(one.status).toBe(200);
    const b1 = ok(P.BlastRadiusSchema, one.body);
    expect(b1.reachable.map((x) => x.workload)).toEqual(["web-1", "web-2"]);
    const two = ok(
      P.BlastRadiusSchema,
      (await t.call("GET", "/api/v1/insight/blast-radius?workload=lb-1&hops=2")).body,
    );
    expect(two.reachable.map((x) => [x.workload, x.hops])).toEqual([
      ["web-1", 1],
      ["web-2", 1],
      ["db-1", 2],
    ]);
    expect(two.reachable[2]?.via[1]?.services).toEqual(["tcp/5432"]);
    await t.call("PUT", "/api/v1/policy/draft", POLICY.replace(/ {2}- \{ name: web-db.*\n/, ""));
    const draft = ok(
      P.BlastRadiusSchema,
      (await t.call("GET", "/api/v1/insight/blast-radius?workload=lb-1&hops=2&draft=true")).body,
    );
    expect(draft.policy).toBe("draft");
    expect(draft.reachable.map((x) => x.workload)).toEqual(["web-1", "web-2"]);
    expect(draft.estate.draft?.reachablePairs).toBeLessThan(draft.estate.active.reachablePairs);
    const missing = await t.call("GET", "/api/v1/insight/blast-radius?workload=ghost");
    expect(missing.status).toBe(404);
  });
});

describe("the learning routes on an empty controller", () => {
  it("answer empty results, not errors, before any flow or revision", async () => {
    const t = await testController();
    await t.call("PUT", "/api/v1/workloads/web-1", {
      labels: { role: "web" },
      addresses: ["198.18.0.9"],
    });
    const labels = ok(P.SuggestionsSchema, (await t.call("GET", "/api/v1/insight/labels")).body);
    expect([labels.edges, labels.suggestions]).toEqual([0, []]);
    const rec = ok(P.RecommendationSchema, (await t.call("GET", "/api/v1/insight/recommend")).body);
    expect(rec.yaml).toContain("rules: []");
    expect(rec.coverage.percent).toBe(100);
    const replay = await t.call("POST", "/api/v1/policy/replay", { draft: "rules: []" });
    expect(ok(P.ReplayReportSchema, replay.body)).toMatchObject({ active: null, edges: 0 });
    const noDraft = await t.call("POST", "/api/v1/policy/replay", {});
    expect([noDraft.status, noDraft.body.error.code]).toEqual([404, "MSEG_API_NOT_FOUND"]);
    const blast = await t.call("GET", "/api/v1/insight/blast-radius?workload=web-1");
    expect(ok(P.BlastRadiusSchema, blast.body).reachable).toEqual([]);
    const explain = await t.call(
      "GET",
      "/api/v1/flows/explain?from=web-1&to=198.18.0.1&port=tcp/80",
    );
    expect(ok(P.FlowExplainSchema, explain.body)).toMatchObject({ revision: null, recorded: [] });
  });
});
