// conjoin() folds a conjunction per key without changing what it selects: checked against
// core's matching on every label value of a small universe, for random requirement lists.
import { type LabelMatch, matchSelector, type Selector } from "@microseg/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { conjoin } from "./selector-math.js";

const VALUES = ["a", "b", "c"];
const value = fc.constantFrom(...VALUES);
const req: fc.Arbitrary<LabelMatch> = fc.oneof(
  fc.record({
    key: fc.constantFrom("k", "j"),
    op: fc.constantFrom("in" as const, "notin" as const),
    values: fc.uniqueArray(value, { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    key: fc.constantFrom("k", "j"),
    op: fc.constantFrom("exists" as const, "notexists" as const),
  }),
);
const selector: fc.Arbitrary<Selector> = fc
  .array(req, { maxLength: 3 })
  .map((match) => ({ match }));

/** Every labelling of keys k and j with a value or nothing. */
const LABELINGS = [undefined, ...VALUES].flatMap((k) =>
  [undefined, ...VALUES].map((j) => ({ ...(k ? { k } : {}), ...(j ? { j } : {}) })),
);

describe("conjoin", () => {
  it("selects exactly what all its parts select; undefined only when nothing does", () => {
    fc.assert(
      fc.property(fc.array(selector, { minLength: 1, maxLength: 3 }), (parts) => {
        const folded = conjoin(...parts);
        for (const labels of LABELINGS) {
          const want = parts.every((p) => matchSelector(p, labels));
          expect(folded === undefined ? false : matchSelector(folded, labels)).toBe(want);
        }
        if (folded === undefined) {
          expect(LABELINGS.some((l) => parts.every((p) => matchSelector(p, l)))).toBe(false);
        }
      }),
      { numRuns: 500, seed: 20261207 },
    );
  });

  it("app in (web) ∧ app in (db) is unsatisfiable; in ∧ notin keep the difference", () => {
    const sel = (match: LabelMatch[]): Selector => ({ match });
    expect(
      conjoin(
        sel([{ key: "app", op: "in", values: ["web"] }]),
        sel([{ key: "app", op: "in", values: ["db"] }]),
      ),
    ).toBeUndefined();
    expect(
      conjoin(
        sel([{ key: "app", op: "in", values: ["a", "b", "c"] }]),
        sel([{ key: "app", op: "notin", values: ["b"] }]),
        undefined,
      ),
    ).toEqual({ match: [{ key: "app", op: "in", values: ["a", "c"] }] });
    expect(conjoin()).toEqual({ match: [] });
  });
});
