import { explain, loadPolicy, type Workload } from "@microseg/core";
import { describe, expect, it } from "vitest";
import { edge, workload } from "../testing/estate.js";
import { recommend } from "./recommend.js";

// A three-tier shop in prod and staging, a monitoring host, an unlabelled box, outside clients.
const estate: Workload[] = [
  workload("web-1", { app: "shop", role: "web", env: "prod" }, "198.18.1.1"),
  workload("web-2", { app: "shop", role: "web", env: "prod" }, "198.18.1.2"),
  workload("api-1", { app: "shop", role: "api", env: "prod" }, "198.18.1.3"),
  workload("db-1", { app: "shop", role: "db", env: "prod" }, "198.18.1.4"),
  workload("web-s", { app: "shop", role: "web", env: "staging" }, "198.18.2.1"),
  workload("db-s", { app: "shop", role: "db", env: "staging" }, "198.18.2.4"),
  workload("mon-1", { app: "ops", role: "monitoring" }, "198.18.3.1"),
  workload("mystery", {}, "198.18.9.9"),
];
const q = (from: string, to: string, port: string) => ({
  from: /^\d/.test(from) ? { address: from } : { workload: from },
  to: /^\d/.test(to) ? { address: to } : { workload: to },
  port,
});

const edges = [
  edge("web-1", "api-1", "tcp/8080", 500),
  edge("web-2", "api-1", "tcp/8080", 450),
  edge("api-1", "db-1", "tcp/5432", 900),
  edge("mon-1", "db-1", "tcp/9100", 30, "would-block"),
  edge("mon-1", "api-1", "tcp/9100", 30),
  edge("203.0.113.7", "web-1", "tcp/443", 70),
  edge("203.0.113.8", "web-2", "tcp/443", 60),
  edge("web-1", "198.51.100.5", "udp/53", 40),
  edge("mystery", "db-1", "tcp/5432", 1),
  edge("web-1", "db-1", "tcp/22", 5, "blocked"),
];

describe("recommend on a three-tier shop", () => {
  const rec = recommend({ edges, workloads: estate });

  it("writes YAML that core's loader accepts, with one rule per pair of groups", () => {
    expect(rec.diagnostics).toEqual([]);
    const loaded = loadPolicy([{ file: "r.yaml", text: rec.yaml }]);
    expect(loaded.diagnostics).toEqual([]);
    expect(rec.rules.map((r) => [r.name, r.services])).toEqual([
      ["outside-to-shop-web-prod", ["tcp/443"]],
      ["ops-monitoring-to-shop-api", ["tcp/9100"]],
      ["ops-monitoring-to-shop-db-prod", ["tcp/9100"]],
      ["shop-api-to-shop-db-prod", ["tcp/5432"]],
      ["shop-web-prod-to-outside", ["udp/53"]],
      ["shop-web-prod-to-shop-api", ["tcp/8080"]],
    ]);
    expect(rec.ipLists).toEqual([
      { name: "shop-web-prod-clients", cidrs: ["203.0.113.7/32", "203.0.113.8/32"] },
      { name: "shop-web-prod-destinations", cidrs: ["198.51.100.5/32"] },
    ]);
  });

  it("names ends by app+role, adding env only where that group spans several envs", () => {
    const webApi = rec.rules.find((r) => r.name === "shop-web-prod-to-shop-api");
    expect(webApi?.from).toEqual({
      kind: "workloads",
      identity: { app: "shop", role: "web", env: "prod" },
    });
    // shop web and db run in prod and staging (env distinguishes); shop api only in prod.
    expect(webApi?.to).toEqual({ kind: "workloads", identity: { app: "shop", role: "api" } });
    expect(rec.yaml).toContain('from: { app: "shop", role: "web", env: "prod" }');
  });

  it("allows exactly the observed services between the groups and blocks unobserved ones", () => {
    const p = rec.policy;
    expect(explain(p, estate, q("web-2", "api-1", "tcp/8080")).policy).toBe("allow");
    expect(explain(p, estate, q("api-1", "db-1", "tcp/5432")).policy).toBe("allow");
    // unobserved: web straight to the database, staging web to prod api, a new port
    expect(explain(p, estate, q("web-1", "db-1", "tcp/5432")).policy).toBe("deny");
    expect(explain(p, estate, q("web-s", "api-1", "tcp/8080")).policy).toBe("deny");
    expect(explain(p, estate, q("api-1", "db-1", "tcp/22")).policy).toBe("deny");
    expect(explain(p, estate, q("203.0.113.9", "web-1", "tcp/443")).policy).toBe("deny");
  });

  it("covers every learned edge but the unlabelled workload's, and says why", () => {
    expect(rec.ignored).toBe(1);
    expect(rec.coverage).toMatchObject({ edges: 9, coveredEdges: 8, percent: 88.8 });
    expect(rec.coverage.connections).toBe(2081);
    expect(rec.coverage.coveredConnections).toBe(2080);
    expect(rec.coverage.uncovered.map((u) => [u.edge.from.name, u.reason])).toEqual([
      ["mystery", expect.stringMatching(/has no labels.*label it/)],
    ]);
  });

  it("reports per rule the edges it came from and the workloads it admits unobserved", () => {
    const webApi = rec.rules.find((r) => r.name === "shop-web-prod-to-shop-api");
    expect(webApi?.edges.map((e) => e.from.name)).toEqual(["web-1", "web-2"]);
    expect(webApi?.admits).toEqual({ consumers: [], providers: [] });
    const webDns = rec.rules.find((r) => r.name === "shop-web-prod-to-outside");
    // learned from web-1 only: web-2 (same group) now may resolve names too.
    expect(webDns?.admits).toEqual({ consumers: ["web-2"], providers: [] });
  });

  it("is deterministic: the same edges in another order give the same YAML", () => {
    const again = recommend({ edges: [...edges].reverse(), workloads: [...estate].reverse() });
    expect(again.yaml).toBe(rec.yaml);
  });
});

describe("recommend: an outside host the inventory knows by name", () => {
  it("an unmanaged workload without labels is named by its addresses, like any outside peer", () => {
    const ws = [
      workload("web-1", { app: "shop", role: "web" }, "198.18.1.1"),
      workload("partner", {}, "198.18.7.7", {
        managed: false,
        addresses: ["198.18.7.7", "2001:db8::7"],
      }),
    ];
    const rec = recommend({ edges: [edge("partner", "web-1", "tcp/443", 9)], workloads: ws });
    expect(rec.coverage.coveredEdges).toBe(1);
    expect(rec.ipLists).toEqual([
      { name: expect.any(String), cidrs: ["198.18.7.7/32", "2001:db8::7/128"] },
    ]);
    expect(explain(rec.policy, ws, q("partner", "web-1", "tcp/443")).policy).toBe("allow");
    expect(explain(rec.policy, ws, q("partner", "web-1", "tcp/22")).policy).toBe("deny");
  });
});

describe("recommend: what cannot be expressed", () => {
  it("a port that is not a service and an address-to-address edge are listed, not guessed", () => {
    const rec = recommend({
      edges: [
        edge("web-1", "db-1", "proto/47", 3),
        edge("203.0.113.1", "203.0.113.2", "tcp/80", 1),
        edge("web-1", "ghost", "tcp/80", 1),
      ],
      workloads: estate,
    });
    expect(rec.rules).toEqual([]);
    expect(rec.coverage.coveredEdges).toBe(0);
    expect(rec.coverage.uncovered.map((u) => u.reason)).toEqual([
      expect.stringMatching(/cannot be written as a service/),
      expect.stringMatching(/neither end is a workload/),
      expect.stringMatching(/"ghost" is not in the inventory/),
    ]);
    expect(loadPolicy([{ file: "r.yaml", text: rec.yaml }]).diagnostics).toEqual([]);
  });

  it("quotes label values YAML would read as numbers, and uses the labels: form for form keys", () => {
    const odd = [
      workload("a", { tier: "1", namespace: "x" }, "198.18.0.1"),
      workload("b", { tier: "yes" }, "198.18.0.2"),
    ];
    const rec = recommend({ edges: [edge("a", "b", "tcp/80")], workloads: odd });
    expect(rec.diagnostics).toEqual([]);
    expect(rec.yaml).toContain('from: { labels: { namespace: "x", tier: "1" } }');
    expect(rec.coverage.percent).toBe(100);
  });
});
