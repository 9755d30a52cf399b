import type { Workload } from "@microseg/core";
import { describe, expect, it } from "vitest";
import type { FlowEdge } from "../flow.js";
import { edge, workload } from "../testing/estate.js";
import { discoverApplications } from "./discover.js";

// Two applications — a three-tier shop behind a load balancer, a two-tier crm — a monitoring host
// scraping everyone (noise on a port everybody serves) and one stray connection across apps.
// Some workloads miss labels.
let ip = 0;
const w = (name: string, labels: Record<string, string>): Workload =>
  workload(name, labels, `198.18.0.${++ip}`);
const estate = [
  w("lb-1", { app: "shop", role: "lb" }),
  w("web-1", { app: "shop", role: "web" }),
  w("web-2", { app: "shop", role: "web" }),
  w("web-3", {}),
  w("api-1", { app: "shop", role: "api" }),
  w("api-2", { app: "shop", role: "api" }),
  w("db-1", { app: "shop", role: "db" }),
  w("db-2", { app: "shop" }),
  w("crm-web-1", { app: "crm", role: "web" }),
  w("crm-web-2", { app: "crm", role: "web" }),
  w("crm-db-1", { app: "crm" }),
  w("mon-1", { app: "ops", role: "monitoring" }),
];

function traffic(): FlowEdge[] {
  const out: FlowEdge[] = [];
  for (const web of ["web-1", "web-2", "web-3"]) {
    out.push(edge("lb-1", web, "tcp/80", 1000));
    for (const api of ["api-1", "api-2"]) out.push(edge(web, api, "tcp/8080", 400));
  }
  for (const api of ["api-1", "api-2"]) {
    for (const db of ["db-1", "db-2"]) out.push(edge(api, db, "tcp/5432", 800));
  }
  for (const web of ["crm-web-1", "crm-web-2"]) out.push(edge(web, "crm-db-1", "tcp/3306", 600));
  for (const x of estate) if (x.name !== "mon-1") out.push(edge("mon-1", x.name, "tcp/9100", 20));
  out.push(edge("web-1", "crm-db-1", "tcp/3306", 1));
  out.push(edge("web-2", "db-1", "tcp/22", 3, "blocked"));
  return out;
}

describe("application discovery on two apps with noise", () => {
  const found = discoverApplications({ edges: traffic(), workloads: estate });
  const groupOf = (name: string) => found.groups.find((g) => g.members.includes(name));

  it("puts each application's tiers in one group and the two apps apart", () => {
    const shop = groupOf("web-1");
    const crm = groupOf("crm-web-1");
    const shopCore = ["api-1", "api-2", "db-1", "db-2", "lb-1", "web-1", "web-2", "web-3"];
    expect(shop?.members.filter((m) => m !== "mon-1")).toEqual(shopCore);
    expect(crm?.members.filter((m) => m !== "mon-1")).toEqual([
      "crm-db-1",
      "crm-web-1",
      "crm-web-2",
    ]);
    expect(shop?.name).toBe("shop");
    expect(crm?.name).toBe("crm");
    expect(found.modularity).toBeGreaterThan(0.2);
  });

  it("splits a group into tiers by what members serve, ignoring the port everyone serves", () => {
    const shop = groupOf("web-1");
    const tiers = shop?.tiers.map((t) => [
      t.role,
      t.services,
      t.members.filter((m) => m !== "mon-1"),
    ]);
    expect(tiers).toEqual([
      ["db", ["tcp/5432"], ["db-1", "db-2"]],
      ["web", ["tcp/80"], ["web-1", "web-2", "web-3"]],
      ["api", ["tcp/8080"], ["api-1", "api-2"]],
      ["lb", [], ["lb-1"]],
    ]);
    expect(shop?.evidence.internalPairs).toBeGreaterThan(shop?.evidence.externalPairs ?? 0);
  });

  it("suggests missing labels with confidence and evidence", () => {
    const s = (name: string, key: string) =>
      found.suggestions.find((x) => x.workload === name && x.key === key);
    expect(s("web-3", "app")).toMatchObject({ value: "shop" });
    expect(s("web-3", "app")?.confidence).toBeGreaterThan(0.7);
    expect(s("web-3", "role")).toMatchObject({ value: "web", confidence: 0.67 });
    expect(s("web-3", "role")?.evidence[0]).toBe("serves tcp/80 like web-1, web-2 (role=web)");
    expect(s("db-2", "role")).toMatchObject({ value: "db", confidence: 0.5 });
    // no labelled peer serves 3306: the well-known port decides, at most 0.8
    expect(s("crm-db-1", "role")).toMatchObject({ value: "db", confidence: 0.8 });
    expect(s("crm-db-1", "role")?.evidence[0]).toMatch(/tcp\/3306, the usual ports of a db/);
    // labelled workloads get no suggestion for what they carry
    expect(found.suggestions.filter((x) => x.workload === "web-1")).toEqual([]);
  });

  it("is deterministic whatever the input order", () => {
    const again = discoverApplications({
      edges: traffic().reverse(),
      workloads: [...estate].reverse(),
    });
    expect(again).toEqual(found);
  });

  it("a workload without traffic is a group of its own and gets no app suggestion", () => {
    const lone = workload("lone", {}, "198.18.9.9");
    const r = discoverApplications({ edges: traffic(), workloads: [...estate, lone] });
    expect(r.groups.find((g) => g.members.includes("lone"))?.members).toEqual(["lone"]);
    expect(r.suggestions.filter((x) => x.workload === "lone")).toEqual([]);
  });
});

describe("application discovery without traffic", () => {
  it("answers one group per workload and a modularity of 0 (a number, never NaN)", () => {
    const r = discoverApplications({ edges: [], workloads: estate.slice(0, 3) });
    expect(r.groups.map((g) => g.members)).toEqual([["lb-1"], ["web-1"], ["web-2"]]);
    expect(r.modularity).toBe(0);
    expect(r.suggestions).toEqual([]);
  });
});
