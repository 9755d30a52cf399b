// Label selectors as written (`{ role: web, env: [prod, staging], tier: { notIn: [cache] } }`)
// -> model Selector. Each key is one requirement; all must hold.

import { z } from "zod";
import type { LabelMatch, Selector } from "../model.js";
import { checkLabelKey, checkLabelValue, nonStringLabelValue } from "./labels.js";
import { type Problem, problem } from "./problem.js";
import { forward, report, strict, userMap } from "./zod-kit.js";

const FORMS =
  "a value (`env: prod`), a list (`env: [prod, staging]`), `{ notIn: [...] }` or `{ exists: true }`";

/**
 * A label selector. Written empty (`{}`) it would select every workload, which is never what a
 * native policy means by accident, so it is refused with `ifEmpty`, which says what to write.
 */
export function selectorSchema(ifEmpty: string) {
  const empty = problem("MSEG_POLICY_INVALID_SELECTOR", ifEmpty);
  return userMap(z.unknown(), { key: checkLabelKey, ifEmpty: empty }).transform(
    (entries, ctx): Selector => {
      const match: LabelMatch[] = [];
      for (const [key, value] of entries) {
        match.push(...(forward(requirementSchema(key), value, ctx, [key]) ?? []));
      }
      return { match };
    },
  );
}

/** What to write instead of an empty selector, by where it stands. */
export const EMPTY = {
  peer:
    "an empty selector `{}` would select every workload; write `any` for every address (inside a " +
    "scope: every workload of the scope), or name at least one label, e.g. `{ role: web }`",
  namespace:
    "an empty namespace selector would select every namespace; name a namespace label, e.g. " +
    "`{ team: pay }`, or write `{ kubernetes.io/metadata.name: { exists: true } }` for every namespace",
  pods: "an empty `pods` selector is not needed: leave `pods` out to select every workload of the namespaces, or name at least one label",
  match:
    "a scope applies its rules only to the workloads `match` selects, so it names at least one " +
    "label, e.g. `{ tenant: acme }`; rules for every workload go under the top-level `rules:`",
  select:
    "an empty `select` is not needed: leave `select` out to select every workload, or name at least one label, e.g. `{ app: api }`",
} as const;

function requirementSchema(key: string) {
  return z.unknown().transform((value, ctx): LabelMatch[] => {
    if (typeof value === "string") {
      const bad = checkLabelValue(key, value);
      if (bad !== undefined) report(ctx, bad);
      return [{ key, op: "in", values: [value] }];
    }
    if (Array.isArray(value)) {
      if (value.length === 0) report(ctx, emptyList(key, "in"));
      return [{ key, op: "in", values: forward(valueList(key), value, ctx) ?? [] }];
    }
    if (typeof value === "object" && value !== null) {
      return forward(operators(key), value, ctx) ?? [];
    }
    report(ctx, badValue(key, value));
    return [];
  });
}

function valueList(key: string) {
  const one = z.unknown().transform((v, ctx): string => {
    if (typeof v !== "string") {
      report(ctx, nonStringLabelValue(key, v));
      return "";
    }
    const bad = checkLabelValue(key, v);
    if (bad !== undefined) report(ctx, bad);
    return v;
  });
  return z.array(one);
}

function operators(key: string) {
  const list = (op: string) =>
    valueList(key).superRefine((values, ctx) => {
      if (values.length === 0) report(ctx, emptyList(key, op));
    });
  return strict("selector operator", {
    in: list("in").optional(),
    notIn: list("notIn").optional(),
    exists: z.boolean().optional(),
  }).transform((ops, ctx): LabelMatch[] => {
    const out: LabelMatch[] = [];
    if (ops.in !== undefined) out.push({ key, op: "in", values: ops.in });
    if (ops.notIn !== undefined) out.push({ key, op: "notin", values: ops.notIn });
    if (ops.exists !== undefined) out.push({ key, op: ops.exists ? "exists" : "notexists" });
    if (out.length === 0)
      report(
        ctx,
        problem("MSEG_POLICY_INVALID_SELECTOR", `\`${key}\` has no condition; write ${FORMS}`),
      );
    return out;
  });
}

function emptyList(key: string, op: string): Problem {
  const which = op === "in" ? "" : `\`${op}\` `;
  return problem(
    "MSEG_POLICY_INVALID_SELECTOR",
    `\`${key}\` ${which}has an empty list; list at least one value, or write \`{ exists: true }\` to match any value`,
  );
}

function badValue(key: string, value: unknown): Problem {
  if (value === null || value === undefined) {
    return problem("MSEG_POLICY_INVALID_SELECTOR", `\`${key}\` has no value; write ${FORMS}`);
  }
  return nonStringLabelValue(key, value);
}
