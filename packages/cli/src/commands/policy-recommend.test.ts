// The human report of `microseg policy recommend`: besides coverage and rules, it says how many
// recorded edges were not learned and why, and which sources open alerts hold back.
import type { RecommendationWire } from "@microseg/protocol";
import { describe, expect, it } from "vitest";
import { report } from "./policy-recommend.js";

const base: RecommendationWire = {
  yaml: "rules: []\n",
  rules: [],
  ipLists: [],
  coverage: {
    edges: 5,
    coveredEdges: 5,
    connections: 1802,
    coveredConnections: 1802,
    percent: 100,
    uncovered: [],
  },
  ignored: 0,
  leftOut: { blocked: 0, refused: 0, unanswered: 0, scanner: 0, heldBack: 0 },
  heldBack: [],
  saved: null,
};

describe("policy recommend's report", () => {
  it("says nothing was left out when everything was learned", () => {
    expect(report(base)).not.toMatch(/left out|held back/);
  });

  it("names every reason an edge was left out, and the held-back sources with their alerts", () => {
    const text = report({
      ...base,
      ignored: 177,
      leftOut: { blocked: 1, refused: 172, unanswered: 1, scanner: 2, heldBack: 1 },
      heldBack: [{ source: "laptop", alerts: ["al-1", "al-2"], edges: 1 }],
    });
    expect(text).toContain(
      "left out 177 flow edges: 172 refused, 1 unanswered, 1 blocked, 2 from declared scanners, " +
        "1 held back by open alerts",
    );
    expect(text).toContain(
      "  held back: laptop (1 flow edge) until alerts al-1, al-2 are acknowledged " +
        "(microseg alerts ack <id>)",
    );
  });
});
