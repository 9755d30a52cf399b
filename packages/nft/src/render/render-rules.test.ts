import type { RuleSet } from "@microseg/core";
import { describe, expect, it } from "vitest";
import { kernelSetNames, renderRuleSet } from "./index.js";
import type { NftDocument } from "./wire.js";

const base: RuleSet = {
  workload: "db",
  mode: "enforce",
  addresses: ["198.18.0.1"],
  inbound: {
    default: "deny",
    entries: [
      { ruleId: "web", action: "allow", peer: { set: "web" }, ports: [] },
      { ruleId: "bad", action: "deny", peer: { any: true }, ports: [] },
    ],
  },
  outbound: { default: "allow", entries: [] },
  sets: { web: { v4: ["198.18.0.2/32"], v6: [] } },
  hash: "h1",
};

function rules(doc: NftDocument, chain: string) {
  return doc.nftables.flatMap((c) =>
    "add" in c && "rule" in c.add && c.add.rule.chain === chain ? [c.add.rule] : [],
  );
}

function verdicts(doc: NftDocument, chain: string): string[] {
  return rules(doc, chain).map((r) =>
    r.expr
      .flatMap((e) => Object.keys(e))
      .filter((k) => k !== "match")
      .join("+"),
  );
}

describe("renderRuleSet", () => {
  it("starts with add/delete/add table so one transaction replaces the table", () => {
    const doc = renderRuleSet(base);
    expect(doc.nftables.slice(0, 3).map((c) => Object.keys(c)[0])).toEqual([
      "add",
      "delete",
      "add",
    ]);
  });

  it("enforce drops denied traffic and ends with an explicit default drop", () => {
    expect(verdicts(renderRuleSet(base), "input").slice(5)).toEqual([
      "counter+accept",
      "counter+accept",
      "counter+accept",
      "counter+accept",
      "counter+log+drop",
      "counter+log+drop",
    ]);
  });

  it("test mode drops nothing but logs would-be drops to the nflog group", () => {
    const doc = renderRuleSet({ ...base, mode: "test" });
    const all = [...verdicts(doc, "input"), ...verdicts(doc, "output")];
    expect(all.some((v) => v.includes("drop"))).toBe(false);
    const logged = rules(doc, "input").flatMap((r) => r.expr.filter((e) => "log" in e));
    expect(logged).toEqual([
      { log: { prefix: "mseg-wb in bad", group: 1 } },
      { log: { prefix: "mseg-wb in mseg:default", group: 1 } },
    ]);
  });

  it("learn mode neither drops nor logs", () => {
    const doc = renderRuleSet({ ...base, mode: "learn" });
    const all = [...verdicts(doc, "input"), ...verdicts(doc, "output")].join(" ");
    expect(all).not.toMatch(/drop|log/);
  });

  it("keeps comments and log prefixes within the kernel's 127 bytes", () => {
    const long = "é".repeat(200);
    const doc = renderRuleSet({
      ...base,
      inbound: {
        default: "deny",
        entries: [{ ruleId: long, action: "deny", peer: { any: true }, ports: [] }],
      },
    });
    for (const r of rules(doc, "input")) {
      expect(Buffer.byteLength(r.comment ?? "")).toBeLessThanOrEqual(127);
    }
  });

  it("maps odd set names to distinct identifier-like kernel names", () => {
    const a = kernelSetNames("rules[1]/in");
    const b = kernelSetNames("rules_1__in");
    expect(a.v4).toMatch(/^[A-Za-z0-9_]+$/);
    expect(a.v4).not.toBe(b.v4);
    expect(kernelSetNames("web_in")).toEqual({
      v4: "web_in_v4",
      v4net: "web_in_v4net",
      v6: "web_in_v6",
      v6net: "web_in_v6net",
    });
  });
});
