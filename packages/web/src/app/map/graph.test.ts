// The map's composition: a group expanded into its workloads with edges folded back into the
// nodes on screen, and "not covered" only for allowed edges no rule-decided flow falls under.
import { describe, expect, it } from "vitest";
import type { FlowEdge, MapWire } from "../api/types.js";
import { composeGraph, flowsOf, withoutFailed } from "./graph.js";

const T = "2026-11-29T12:00:00.000Z";
type Outcome = "established" | "refused" | "unanswered";
const edge = (
  from: string,
  to: string,
  port: string,
  verdict: "allowed" | "blocked",
  count = 1,
  outcome: Outcome = verdict === "blocked" ? "unanswered" : "established",
) => ({
  from,
  to,
  port,
  verdict,
  outcome,
  outcomes: { established: 0, refused: 0, unanswered: 0, [outcome]: count },
  count,
  lastSeen: T,
});
const flow = (
  from: string,
  to: string,
  port: string,
  verdict: "allowed" | "blocked",
  rule?: string,
): FlowEdge => ({
  from,
  to,
  fromKind: "workload",
  toKind: "workload",
  port,
  verdict,
  outcome: "established",
  outcomes: { established: 1, refused: 0, unanswered: 0 },
  count: 1,
  packets: 1,
  bytes: 1,
  firstSeen: T,
  lastSeen: T,
  ...(rule !== undefined && { rule }),
});

const grouped: MapWire = {
  nodes: [
    { id: "app=shop", kind: "group", label: "shop", members: ["web-1", "db-1"] },
    { id: "app=crm", kind: "group", label: "crm", members: ["crm-1"] },
  ],
  edges: [
    edge("app=shop", "app=shop", "tcp/5432", "allowed", 3),
    edge("app=crm", "app=shop", "tcp/5432", "blocked", 2),
  ],
};
const detailed: MapWire = {
  nodes: [
    { id: "web-1", kind: "workload", label: "web-1" },
    { id: "db-1", kind: "workload", label: "db-1" },
    { id: "crm-1", kind: "workload", label: "crm-1" },
  ],
  edges: [
    edge("web-1", "db-1", "tcp/5432", "allowed", 3),
    edge("crm-1", "db-1", "tcp/5432", "blocked", 2),
    edge("crm-1", "web-1", "tcp/5432", "blocked", 1),
  ],
};
const rows = (g: ReturnType<typeof composeGraph>) =>
  g.edges.map((e) => `${e.from} -> ${e.to} ${e.port} ${e.shownAs} ${e.count}`).sort();

describe("map composition", () => {
  it("draws the grouped map as answered", () => {
    const g = composeGraph(grouped, undefined, new Set(), undefined);
    expect(g.nodes.map((n) => n.id)).toEqual(["app=shop", "app=crm"]);
    expect(rows(g)).toEqual([
      "app=crm -> app=shop tcp/5432 blocked 2",
      "app=shop -> app=shop tcp/5432 allowed 3",
    ]);
  });

  it("replaces an expanded group by its workloads and folds far ends into their groups", () => {
    const g = composeGraph(grouped, detailed, new Set(["app=shop"]), undefined);
    expect(g.nodes.map((n) => n.id).sort()).toEqual(["app=crm", "db-1", "web-1"]);
    // crm-1's two blocked edges stay apart (different targets), each from the crm group.
    expect(rows(g)).toEqual([
      "app=crm -> db-1 tcp/5432 blocked 2",
      "app=crm -> web-1 tcp/5432 blocked 1",
      "web-1 -> db-1 tcp/5432 allowed 3",
    ]);
  });

  it("marks an allowed edge not covered unless a rule decided one of its flows", () => {
    const noRule = composeGraph(grouped, undefined, new Set(), [
      flow("web-1", "db-1", "tcp/5432", "allowed"),
    ]);
    expect(rows(noRule)).toContain("app=shop -> app=shop tcp/5432 not-covered 3");
    const ruled = composeGraph(grouped, undefined, new Set(), [
      flow("web-1", "db-1", "tcp/5432", "allowed", "web-to-db"),
    ]);
    expect(rows(ruled)).toContain("app=shop -> app=shop tcp/5432 allowed 3");
    // Blocked edges keep their verdict whatever the flows say.
    expect(rows(noRule)).toContain("app=crm -> app=shop tcp/5432 blocked 2");
  });

  it("finds the flows behind an edge of the current picture", () => {
    const g = composeGraph(grouped, undefined, new Set(), undefined);
    const crm = g.edges.find((e) => e.from === "app=crm");
    const flows = [
      flow("crm-1", "db-1", "tcp/5432", "blocked"),
      flow("web-1", "db-1", "tcp/5432", "allowed"),
    ];
    expect(crm === undefined ? [] : flowsOf(crm, flows, g.nodes).map((f) => f.from)).toEqual([
      "crm-1",
    ]);
  });

  it("merges outcomes and hides failed contacts (not blocked edges) when asked", () => {
    const outside = { id: "203.0.113.9", kind: "address" as const, label: "203.0.113.9" };
    const scanned: MapWire = {
      nodes: [...detailed.nodes, outside],
      edges: [
        ...detailed.edges,
        edge("203.0.113.9", "crm-1", "tcp/22", "allowed", 5, "unanswered"),
        edge("crm-1", "db-1", "tcp/23", "allowed", 2, "refused"),
        edge("crm-1", "web-1", "tcp/23", "allowed", 1, "unanswered"),
      ],
    };
    const g = composeGraph(
      { ...grouped, nodes: [...grouped.nodes, outside] },
      scanned,
      new Set(["app=crm"]),
      undefined,
    );
    const outcomes = g.edges
      .map((e) => `${e.from} -> ${e.to} ${e.port} ${e.verdict} ${e.outcome} ${e.failed}`)
      .sort();
    expect(outcomes).toEqual([
      "203.0.113.9 -> crm-1 tcp/22 allowed unanswered true",
      "app=shop -> app=shop tcp/5432 allowed established false",
      "crm-1 -> app=shop tcp/23 allowed refused true",
      "crm-1 -> app=shop tcp/5432 blocked unanswered false",
    ]);
    const tcp23 = g.edges.find((e) => e.port === "tcp/23");
    expect(tcp23?.outcomes).toEqual({ established: 0, refused: 2, unanswered: 1 });
    const shown = withoutFailed(g);
    expect(shown.edges.map((e) => e.port).sort()).toEqual(["tcp/5432", "tcp/5432"]);
    // The address only a failed contact touched goes with it; workloads and groups stay.
    expect(g.nodes.map((n) => n.id).sort()).toEqual(["203.0.113.9", "app=shop", "crm-1"]);
    expect(shown.nodes.map((n) => n.id).sort()).toEqual(["app=shop", "crm-1"]);
  });
});
