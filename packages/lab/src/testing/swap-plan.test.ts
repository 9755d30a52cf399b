import { describe, expect, it } from "vitest";
import { LONG_FLOWS, SWAP_FLOWS, swapClasses, swapRuleSets, swapVerdicts } from "./swap-plan.js";

const MANAGED = ["web", "app", "db", "guest"];

describe("the policy-swap revisions", () => {
  it("give every flow the class it declares (explain on A and on B)", () => {
    expect(swapClasses(swapVerdicts())).toEqual(SWAP_FLOWS.map((f) => f.class));
  });

  it("allow the long-lived connections in both", () => {
    const longs = LONG_FLOWS.map((l) => ({
      from: l.from,
      to: l.to,
      port: `tcp/${l.port}`,
      class: "allowed" as const,
      everyMs: 1,
    }));
    expect(swapClasses(swapVerdicts(longs))).toEqual(longs.map(() => "allowed"));
  });

  it("send denied and flip traffic only from guest and stranger", () => {
    const senders = new Set(SWAP_FLOWS.filter((f) => f.class !== "allowed").map((f) => f.from));
    expect([...senders].sort()).toEqual(["guest", "stranger"]);
  });

  it("change the rules of every managed host, so every swap replaces whole tables", () => {
    const rs = swapRuleSets();
    const entries = (r: string, h: string) => {
      const s = rs.get(r as "A")?.get(h);
      return JSON.stringify([s?.inbound.entries, s?.outbound.entries]);
    };
    for (const h of MANAGED) expect(entries("A", h), h).not.toEqual(entries("B", h));
    expect([...(rs.get("A")?.keys() ?? [])].sort()).toEqual([...MANAGED].sort());
  });

  it("change the elements of a set that both revisions have", () => {
    const rs = swapRuleSets();
    const a = rs.get("A")?.get("db")?.sets ?? {};
    const b = rs.get("B")?.get("db")?.sets ?? {};
    const changed = Object.keys(a).filter(
      (name) => name in b && JSON.stringify(a[name]) !== JSON.stringify(b[name]),
    );
    expect(changed.length).toBeGreaterThan(0);
  });
});
