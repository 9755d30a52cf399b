import type { RuleSet } from "@microseg/core";
import { describe, expect, it } from "vitest";
import { renderDelta } from "./index.js";

const prev: RuleSet = {
  workload: "db",
  mode: "enforce",
  addresses: ["198.18.0.1"],
  inbound: {
    default: "deny",
    entries: [{ ruleId: "web", action: "allow", peer: { set: "web" }, ports: [] }],
  },
  outbound: { default: "allow", entries: [] },
  sets: { web: { v4: ["198.18.0.2/32", "198.18.1.0/24"], v6: ["2001:2::2/128"] } },
  hash: "h1",
};

describe("renderDelta", () => {
  it("emits only element deletes then adds when just set members change", () => {
    const next: RuleSet = {
      ...prev,
      sets: { web: { v4: ["198.18.0.3/32", "198.18.1.0/24"], v6: [] } },
      hash: "h2",
    };
    expect(renderDelta(prev, next)?.nftables).toEqual([
      {
        delete: {
          element: { family: "inet", table: "microseg", name: "web_v4", elem: ["198.18.0.2"] },
        },
      },
      {
        delete: {
          element: { family: "inet", table: "microseg", name: "web_v6", elem: ["2001:2::2"] },
        },
      },
      {
        add: {
          element: { family: "inet", table: "microseg", name: "web_v4", elem: ["198.18.0.3"] },
        },
      },
    ]);
  });

  it("is empty when nothing rendered changes", () => {
    expect(renderDelta(prev, { ...prev, addresses: ["198.18.0.9"], hash: "h3" })?.nftables).toEqual(
      [],
    );
  });

  it("refuses (undefined) when mode, entries or set names change", () => {
    expect(renderDelta(prev, { ...prev, mode: "test" })).toBeUndefined();
    expect(renderDelta(prev, { ...prev, sets: { other: { v4: [], v6: [] } } })).toBeUndefined();
    const entries = [{ ruleId: "web", action: "deny", peer: { set: "web" }, ports: [] }] as const;
    expect(renderDelta(prev, { ...prev, inbound: { default: "deny", entries } })).toBeUndefined();
    expect(
      renderDelta(prev, { ...prev, outbound: { default: "deny", entries: [] } }),
    ).toBeUndefined();
  });

  it("ignores key order in the RuleSet", () => {
    const reordered = JSON.parse(JSON.stringify(prev), (_k, v) =>
      v && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).reverse())
        : v,
    ) as RuleSet;
    expect(renderDelta(prev, reordered)?.nftables).toEqual([]);
  });
});
