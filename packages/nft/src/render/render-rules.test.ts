import type { ManagementAccess, RuleSet } from "@microseg/core";
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

  it("enforce sends denied traffic to the recording chain, which records and drops", () => {
    const doc = renderRuleSet(base);
    // After the three fixed rules (established, loopback, neighbour discovery).
    expect(verdicts(doc, "input").slice(3)).toEqual([
      "counter+accept",
      "counter+accept",
      "counter+accept",
      "counter+accept",
      "counter+jump",
      "counter+jump",
    ]);
    const jumps = rules(doc, "input").flatMap((r) => r.expr.filter((e) => "jump" in e));
    expect(new Set(jumps.map((j) => JSON.stringify(j)))).toEqual(
      new Set([JSON.stringify({ jump: { target: "flow-deny-in" } })]),
    );
    expect(verdicts(doc, "flow-deny-in")).toEqual(["set", "set", "set", "set", "counter+drop"]);
    expect(verdicts(doc, "flow-deny-out").at(-1)).toBe("counter+drop");
  });

  it("records each attempt in its own rule, so a full set cannot stop the verdict", () => {
    const chain = rules(renderRuleSet(base), "flow-deny-in");
    for (const r of chain.slice(0, -1)) expect(r.expr.some((e) => "drop" in e)).toBe(false);
    expect(chain.at(-1)?.expr).toEqual([{ counter: null }, { drop: null }]);
    const updates = chain.flatMap((r) => r.expr.filter((e) => "set" in e));
    expect(updates.map((u) => (u.set as { set: string }).set)).toEqual([
      "@flow-deny-in-v4",
      "@flow-deny-in-v4",
      "@flow-deny-in-v6",
      "@flow-deny-in-v6",
    ]);
  });

  it("declares one dynamic counting set per family and direction, bounded and expiring", () => {
    const sets = renderRuleSet(base).nftables.flatMap((c) =>
      "add" in c && "set" in c.add && c.add.set.name.startsWith("flow-") ? [c.add.set] : [],
    );
    expect(sets.map((s) => s.name)).toEqual([
      "flow-deny-in-v4",
      "flow-deny-in-v6",
      "flow-deny-out-v4",
      "flow-deny-out-v6",
      "flow-refused-v4",
      "flow-refused-v6",
    ]);
    for (const s of sets) {
      expect(s).toMatchObject({ flags: ["timeout"], timeout: 120, size: 16384 });
      expect(s.stmt).toEqual([{ counter: null }]);
    }
  });

  it("test mode drops nothing; would-be drops go to the would-block recording chain", () => {
    const doc = renderRuleSet({ ...base, mode: "test" });
    const all = [...verdicts(doc, "input"), ...verdicts(doc, "output")];
    expect(all.some((v) => v.includes("drop"))).toBe(false);
    const jumps = rules(doc, "input").flatMap((r) => r.expr.filter((e) => "jump" in e));
    expect(jumps).toEqual([{ jump: { target: "flow-wb-in" } }, { jump: { target: "flow-wb-in" } }]);
    expect(verdicts(doc, "flow-wb-in")).toEqual(["set", "set", "set", "set", "counter+accept"]);
    expect(rules(doc, "flow-deny-in")).toEqual([]);
  });

  it("learn mode neither drops nor records", () => {
    const doc = renderRuleSet({ ...base, mode: "learn" });
    const all = [...verdicts(doc, "input"), ...verdicts(doc, "output")].join(" ");
    expect(all).not.toMatch(/drop|jump/);
    expect(JSON.stringify(doc)).not.toMatch(/flow-(deny|wb)/);
  });

  it("observes outcomes in every mode, after the filter chains and without a verdict", () => {
    for (const mode of ["enforce", "test", "learn"] as const) {
      const doc = renderRuleSet({ ...base, mode });
      const chains = doc.nftables.flatMap((c) =>
        "add" in c && "chain" in c.add ? [c.add.chain] : [],
      );
      expect(chains).toContainEqual(
        expect.objectContaining({ name: "flow-outcome-in", hook: "input", prio: 10 }),
      );
      expect(chains).toContainEqual(
        expect.objectContaining({ name: "flow-outcome-out", hook: "output", prio: 10 }),
      );
      const text = JSON.stringify([
        ...rules(doc, "flow-outcome-in"),
        ...rules(doc, "flow-refused"),
      ]);
      expect(text).not.toMatch(/"(drop|accept|reject)"/);
      expect(text).toMatch(/"event"/);
      expect(verdicts(doc, "flow-refused")).toEqual(["set", "set", "counter"]);
    }
  });

  it("keeps comments within the kernel's 127 bytes", () => {
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

describe("management least privilege", () => {
  const management = { v4: ["198.18.0.1/32"], v6: ["2001:2::1/128"] };
  const access: ManagementAccess = {
    channel: [{ proto: "tcp", ranges: [[8443, 8443]] }],
    services: [
      { proto: "tcp", ranges: [[22, 22]] },
      { proto: "icmp", types: [8] },
    ],
  };
  /** The management rules of a chain as `family side ports`, e.g. `ip saddr tcp 22`. */
  function managementRules(doc: NftDocument, chain: string): string[] {
    return rules(doc, chain)
      .filter((r) => r.comment === "mseg:management")
      .map((r) => {
        const parts: string[] = [];
        for (const e of r.expr) {
          if (!("match" in e)) continue;
          const { left, right } = e.match as {
            left: Record<string, Record<string, string>>;
            right: unknown;
          };
          if (left.payload?.field === "saddr" || left.payload?.field === "daddr") {
            parts.push(`${left.payload.protocol} ${left.payload.field} ${String(right)}`);
          } else parts.push(JSON.stringify(right));
        }
        expect(r.expr.at(-1)).toEqual({ accept: null });
        return parts.join(" ");
      });
  }

  it("lets the management addresses reach only the listed services, and the agent reach only the channel", () => {
    const doc = renderRuleSet(base, { management, managementAccess: access });
    expect(managementRules(doc, "input")).toEqual([
      'ip saddr @mgmt-v4 "tcp" 22',
      "ip saddr @mgmt-v4 8",
      'ip6 saddr @mgmt-v6 "tcp" 22',
    ]);
    expect(managementRules(doc, "output")).toEqual([
      'ip daddr @mgmt-v4 "tcp" 8443',
      'ip6 daddr @mgmt-v6 "tcp" 8443',
    ]);
  });

  it("gives the management addresses nothing at all by default (no port, no direction)", () => {
    const doc = renderRuleSet(base, { management });
    expect(managementRules(doc, "input")).toEqual([]);
    expect(managementRules(doc, "output")).toEqual([]);
    // The sets still exist (the structure does not depend on what management holds).
    const sets = doc.nftables.flatMap((c) =>
      "add" in c && "set" in c.add ? [c.add.set.name] : [],
    );
    expect(sets).toEqual(expect.arrayContaining(["mgmt-v4", "mgmt-v6"]));
  });

  it("never accepts a packet from or to a management address without a port match", () => {
    const doc = renderRuleSet(base, { management, managementAccess: access });
    for (const chain of ["input", "output"]) {
      for (const r of rules(doc, chain).filter((x) => x.comment === "mseg:management")) {
        expect(r.expr.length, JSON.stringify(r.expr)).toBeGreaterThan(2);
      }
    }
  });
});
