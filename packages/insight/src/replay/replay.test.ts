import { describe, expect, it } from "vitest";
import { edge, policyOf, workload } from "../testing/estate.js";
import { replay } from "./replay.js";

const web = workload("web-1", { app: "shop", role: "web" }, "198.18.0.1");
const api = workload("api-1", { app: "shop", role: "api" }, "198.18.0.2");
const db = workload("db-1", { app: "shop", role: "db" }, "198.18.0.3");
const mon = workload("mon-1", { app: "ops", role: "monitoring" }, "198.18.0.4");
const workloads = [web, api, db, mon];

const ACTIVE = `
rules:
  - { name: web-api, from: { role: web }, to: { role: api }, services: [tcp/8080] }
  - { name: api-db, from: { role: api }, to: { role: db }, services: [tcp/5432] }
  - { name: scrape, from: { role: monitoring }, to: { app: shop }, services: [tcp/9100] }
  - { name: clients, from: { cidrs: [203.0.113.0/24] }, to: { role: web }, services: [tcp/443] }
`;
// The draft drops `scrape` and adds ssh from monitoring to the database.
const DRAFT = `
rules:
  - { name: web-api, from: { role: web }, to: { role: api }, services: [tcp/8080] }
  - { name: api-db, from: { role: api }, to: { role: db }, services: [tcp/5432] }
  - { name: clients, from: { cidrs: [203.0.113.0/24] }, to: { role: web }, services: [tcp/443] }
  - { name: ops-ssh, from: { role: monitoring }, to: { role: db }, services: [tcp/22] }
`;

const edges = [
  edge("web-1", "api-1", "tcp/8080", 100),
  edge("api-1", "db-1", "tcp/5432", 300),
  edge("mon-1", "web-1", "tcp/9100", 7),
  edge("mon-1", "api-1", "tcp/9100", 5),
  edge("mon-1", "db-1", "tcp/9100", 3),
  edge("203.0.113.9", "web-1", "tcp/443", 50),
  edge("mon-1", "db-1", "tcp/22", 2, "blocked"),
];

describe("replay of a draft that removes a rule", () => {
  const report = replay({
    active: policyOf(ACTIVE),
    draft: policyOf(DRAFT),
    workloads,
    edges,
  });

  it("reports exactly the edges the removed rule allowed as newly blocked", () => {
    expect(report.newlyBlocked.list.map((r) => `${r.edge.from.name}>${r.edge.to.name}`)).toEqual([
      "mon-1>api-1",
      "mon-1>db-1",
      "mon-1>web-1",
    ]);
    expect(report.newlyBlocked).toMatchObject({ edges: 3, connections: 15 });
    expect(report.newlyBlocked.byRule).toEqual([{ key: "scrape", edges: 3, connections: 15 }]);
    expect(report.newlyBlocked.byDenyingRule).toEqual([
      { key: "(default)", edges: 3, connections: 15 },
    ]);
    expect(report.newlyBlocked.byApplication).toEqual([
      { key: "ops -> shop", edges: 3, connections: 15 },
    ]);
    const first = report.newlyBlocked.list[0];
    expect(first?.before).toEqual({ policy: "allow", rules: ["scrape"], verdict: "allowed" });
    expect(first?.after).toEqual({ policy: "deny", rules: ["(default)"], verdict: "blocked" });
  });

  it("reports the edge a new rule opens as newly allowed, and counts the rest unchanged", () => {
    expect(report.newlyAllowed.list.map((r) => r.edge.port)).toEqual(["tcp/22"]);
    expect(report.newlyAllowed.byRule).toEqual([{ key: "ops-ssh", edges: 1, connections: 2 }]);
    expect(report.newlyAllowed.byDenyingRule).toEqual([
      { key: "(default)", edges: 1, connections: 2 },
    ]);
    expect(report.unchanged).toEqual({ edges: 3, connections: 450 });
    expect(report.unevaluated).toEqual([]);
    expect(report.edges).toBe(7);
  });

  it("says what the wire would do with the modes: a test-mode destination only would-block", () => {
    const testing = workloads.map((w) => (w.name === "db-1" ? { ...w, mode: "test" as const } : w));
    const r = replay({
      active: policyOf(ACTIVE),
      draft: policyOf(DRAFT),
      workloads: testing,
      edges,
    });
    const toDb = r.newlyBlocked.list.find((x) => x.edge.to.name === "db-1");
    // mon-1 (enforce) still blocks at its own end.
    expect(toDb?.after.verdict).toBe("blocked");
    const bothTest = testing.map((w) => (w.name === "mon-1" ? { ...w, mode: "test" as const } : w));
    const r2 = replay({
      active: policyOf(ACTIVE),
      draft: policyOf(DRAFT),
      workloads: bothTest,
      edges,
    });
    expect(r2.newlyBlocked.list.find((x) => x.edge.to.name === "db-1")?.after.verdict).toBe(
      "would-block",
    );
  });

  it("an identical draft changes nothing; an edge of a deleted workload is unevaluated", () => {
    const same = replay({
      active: policyOf(ACTIVE),
      draft: policyOf(ACTIVE),
      workloads,
      edges: [...edges, edge("ghost", "db-1", "tcp/5432")],
    });
    expect(same.newlyBlocked.edges + same.newlyAllowed.edges).toBe(0);
    expect(same.unevaluated).toHaveLength(1);
    expect(same.unevaluated[0]?.reason).toMatch(/ghost/);
  });

  it("groups by another label on request", () => {
    const r = replay({
      active: policyOf(ACTIVE),
      draft: policyOf(DRAFT),
      workloads,
      edges,
      groupBy: "role",
    });
    expect(r.newlyBlocked.byApplication.map((g) => g.key)).toEqual([
      "monitoring -> api",
      "monitoring -> db",
      "monitoring -> web",
    ]);
  });
});
