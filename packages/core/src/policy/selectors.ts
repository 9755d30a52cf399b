// Label selectors as written (`{ role: web, env: [prod, staging], tier: { notIn: [cache] } }`)
// -> model Selector. Each key is one requirement; all must hold.

import { z } from "zod";
import type { LabelMatch, Selector } from "../model.js";
import { checkLabelKey, checkLabelValue, nonStringLabelValue } from "./labels.js";
import { type Problem, problem } from "./problem.js";
import { forward, report, strict, userMap } from "./zod-kit.js";

const FORMS =
  "a value (`env: prod`), a list (`env: [prod, staging]`), `{ notIn: [...] }` or `{ exists: true }`";

export const selectorSchema = userMap(z.unknown(), checkLabelKey).transform(
  (entries, ctx): Selector => {
    const match: LabelMatch[] = [];
    for (const [key, value] of entries) {
      match.push(...(forward(requirementSchema(key), value, ctx, [key]) ?? []));
    }
    return { match };
  },
);

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
