// What recommendation learns from under real-world noise: only what the network answered (an
// edge without an outcome, from an older agent, counts as answered), never a declared scanner's
// edges, never the edges of a source held back by an open alert — and it says how many it left
// out and why.
import { explain, type Workload } from "@microseg/core";
import { describe, expect, it } from "vitest";
import type { FlowEdge, FlowOutcome } from "../flow.js";
import { SCANNER_LABEL, Scanners } from "../scanners.js";
import { edge, policyOf, workload } from "../testing/estate.js";
import { recommend } from "./recommend.js";

const DBS = ["db-1", "db-2", "db-3", "db-4"];
const estate: Workload[] = [
  workload("app-1", { app: "shop", role: "app" }, "198.18.1.1"),
  ...DBS.map((d, i) => workload(d, { app: "shop", role: "db" }, `198.18.2.${i + 1}`)),
  workload("laptop", { role: "laptop" }, "198.18.6.1"),
  workload("nessus", { role: "vuln", [SCANNER_LABEL]: "true" }, "198.18.5.1"),
];
const scanners = new Scanners(
  estate,
  policyOf("ipLists:\n  - { name: scanners, cidrs: [203.0.113.0/24] }\n"),
);

const answered = (e: FlowEdge, outcome: FlowOutcome) => ({ ...e, outcome });

/** The lab's day in learn mode: the app's traffic, a sweep of 43 closed ports, two scanners. */
const edges: FlowEdge[] = [
  ...DBS.map((d, i) =>
    // db-1's agent is an older one: no outcome, which means established
    i === 0
      ? edge("app-1", d, "tcp/5432", 900)
      : answered(edge("app-1", d, "tcp/5432", 900), "established"),
  ),
  ...DBS.flatMap((d) =>
    Array.from({ length: 43 }, (_, p) =>
      answered(edge("laptop", d, `tcp/${20 + p}`, 1), "refused"),
    ),
  ),
  answered(edge("laptop", "db-1", "tcp/5432", 2), "established"),
  answered(edge("app-1", "198.51.100.9", "udp/123", 4), "unanswered"),
  answered(edge("nessus", "db-2", "tcp/5432", 3), "established"),
  answered(edge("203.0.113.50", "db-3", "tcp/5432", 3), "established"),
  edge("app-1", "db-1", "tcp/22", 5, "blocked"),
];

const q = (from: string, to: string, port: string) => ({
  from: { workload: from },
  to: { workload: to },
  port,
});

describe("recommend learns only what answered", () => {
  const rec = recommend({ edges, workloads: estate, scanners });

  it("proposes no port that never answered, and no rule for a scanner", () => {
    expect(rec.diagnostics).toEqual([]);
    expect(rec.rules.map((r) => [r.name, r.services])).toEqual([
      ["shop-app-to-shop-db", ["tcp/5432"]],
      ["laptop-to-shop-db", ["tcp/5432"]],
    ]);
    expect(rec.ipLists).toEqual([]);
    expect(explain(rec.policy, estate, q("laptop", "db-2", "tcp/22")).policy).toBe("deny");
    expect(explain(rec.policy, estate, q("nessus", "db-2", "tcp/5432")).policy).toBe("deny");
  });

  it("counts what it left out, by reason; coverage is of what it learned", () => {
    expect(rec.leftOut).toEqual({
      blocked: 1,
      refused: 172,
      unanswered: 1,
      scanner: 2,
      heldBack: 0,
    });
    expect(rec.ignored).toBe(176);
    expect(rec.coverage).toMatchObject({ edges: 5, coveredEdges: 5, percent: 100 });
  });
});

describe("recommend holds back the sources of open alerts", () => {
  const heldBack = new Map([["laptop", ["al-scan-1", "al-lat-2"]]]);
  const rec = recommend({ edges, workloads: estate, scanners, heldBack });

  it("leaves the source's answered edges out until the alert is acknowledged", () => {
    expect(rec.rules.map((r) => r.name)).toEqual(["shop-app-to-shop-db"]);
    expect(rec.leftOut.heldBack).toBe(1);
    // its refused edges are counted as refused: they would be left out anyway
    expect(rec.leftOut.refused).toBe(172);
    expect(rec.heldBack).toEqual([
      { source: "laptop", alerts: ["al-scan-1", "al-lat-2"], edges: 1 },
    ]);
    expect(explain(rec.policy, estate, q("laptop", "db-1", "tcp/5432")).policy).toBe("deny");
  });

  it("with the alert acknowledged (no longer held back) the edge is learned again", () => {
    const after = recommend({ edges, workloads: estate, scanners, heldBack: new Map() });
    expect(after.rules.map((r) => r.name)).toContain("laptop-to-shop-db");
    expect(after.heldBack).toEqual([]);
  });
});
