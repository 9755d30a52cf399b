import { describe, expect, it } from "vitest";
import type { Selector } from "./model.js";
import { matchNamespace, matchSelector, selectorKey } from "./selector.js";

const s = (...match: Selector["match"]): Selector => ({ match });

describe("selectors", () => {
  const labels = { app: "web", env: "prod" };
  it("in / notin / exists / notexists", () => {
    expect(matchSelector(s({ key: "app", op: "in", values: ["web", "api"] }), labels)).toBe(true);
    expect(matchSelector(s({ key: "app", op: "in", values: ["db"] }), labels)).toBe(false);
    expect(matchSelector(s({ key: "app", op: "notin", values: ["db"] }), labels)).toBe(true);
    expect(matchSelector(s({ key: "env", op: "exists" }), labels)).toBe(true);
    expect(matchSelector(s({ key: "tier", op: "notexists" }), labels)).toBe(true);
  });
  it("notin and notexists match when the key is absent; in and exists do not", () => {
    expect(matchSelector(s({ key: "tier", op: "notin", values: ["x"] }), labels)).toBe(true);
    expect(matchSelector(s({ key: "tier", op: "in", values: ["x"] }), labels)).toBe(false);
    expect(matchSelector(s({ key: "tier", op: "exists" }), labels)).toBe(false);
  });
  it("is all-of; the empty selector matches everything", () => {
    const both = s(
      { key: "app", op: "in", values: ["web"] },
      { key: "env", op: "in", values: ["dev"] },
    );
    expect(matchSelector(both, labels)).toBe(false);
    expect(matchSelector(s(), {})).toBe(true);
  });
  it("does not match inherited object properties", () => {
    expect(matchSelector(s({ key: "toString", op: "exists" }), {})).toBe(false);
  });
  it("a namespace selector never matches a workload without a namespace", () => {
    expect(matchNamespace(s(), undefined, undefined)).toBe(false);
    expect(matchNamespace(s(), "prod", undefined)).toBe(true);
    expect(matchNamespace(undefined, undefined, undefined)).toBe(true);
  });
  it("keys are canonical", () => {
    const a = s({ key: "b", op: "in", values: ["2", "1"] }, { key: "a", op: "exists" });
    const b = s({ key: "a", op: "exists" }, { key: "b", op: "in", values: ["1", "2"] });
    expect(selectorKey(a)).toBe(selectorKey(b));
  });
});
