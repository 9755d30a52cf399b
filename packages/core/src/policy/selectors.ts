// Label selectors as written (`{ role: web, env: [prod, staging], tier: { notIn: [cache] } }`)
// -> model Selector. Each key is one requirement; all must hold.

import { z } from "zod";
import type { LabelMatch, Selector } from "../model.js";
import { checkLabelKey, checkLabelValue, nonStringLabelValue } from "./labels.js";
import { type Problem, problem } from "./problem.js";
import type { PathSegment } from "./yaml-lines.js";
import { forward, isPlainMap, report, strict, userMap } from "./zod-kit.js";

const FORMS =
  "a value (`env: prod`), a list (`env: [prod, staging]`), `{ notIn: [...] }` or `{ exists: true }`";

/**
 * A label selector. Written empty (`{}`) it would select every workload, which is never what a
 * native policy means by accident, so it is refused with `ifEmpty`, which says what to write.
 */
export function selectorSchema(ifEmpty: string) {
  const empty = problem("MSEG_POLICY_INVALID_SELECTOR", ifEmpty);
  return userMap(z.unknown(), { key: checkLabelKey, ifEmpty: empty }).transform(
    (entries, ctx): Selector => ({
      match: entries.flatMap(([key, value]) => requirement(key, value, ctx, [key])),
    }),
  );
}

// Built once: zod schemas cost far more to build than to run, so nothing here is built per key;
// the key only shapes messages, which the checks below write.
const operatorsSchema = strict("selector operator", {
  in: z.array(z.unknown()).optional(),
  notIn: z.array(z.unknown()).optional(),
  exists: z.boolean().optional(),
});

/** One key's requirements, at `at` (the key's path). */
function requirement(
  key: string,
  value: unknown,
  ctx: z.RefinementCtx,
  at: PathSegment[],
): LabelMatch[] {
  if (typeof value === "string") {
    const bad = checkLabelValue(key, value);
    if (bad !== undefined) report(ctx, bad, at);
    return [{ key, op: "in", values: [value] }];
  }
  if (Array.isArray(value)) {
    if (value.length === 0) report(ctx, emptyList(key, "in"), at);
    return [{ key, op: "in", values: labelValues(key, value, ctx, at) }];
  }
  if (!isPlainMap(value)) {
    report(ctx, badValue(key, value), at);
    return [];
  }
  const ops = forward(operatorsSchema, value, ctx, at);
  if (ops === undefined) return [];
  const out: LabelMatch[] = [];
  for (const [field, op] of [
    ["in", "in"],
    ["notIn", "notin"],
  ] as const) {
    const list = ops[field];
    if (list === undefined) continue;
    if (list.length === 0) report(ctx, emptyList(key, field), [...at, field]);
    out.push({ key, op, values: labelValues(key, list, ctx, [...at, field]) });
  }
  if (ops.exists !== undefined) out.push({ key, op: ops.exists ? "exists" : "notexists" });
  if (out.length === 0) {
    report(
      ctx,
      problem("MSEG_POLICY_INVALID_SELECTOR", `\`${key}\` has no condition; write ${FORMS}`),
      at,
    );
  }
  return out;
}

function labelValues(
  key: string,
  list: readonly unknown[],
  ctx: z.RefinementCtx,
  at: PathSegment[],
): string[] {
  return list.map((v, i) => {
    const bad = typeof v === "string" ? checkLabelValue(key, v) : nonStringLabelValue(key, v);
    if (bad !== undefined) report(ctx, bad, [...at, i]);
    return typeof v === "string" ? v : "";
  });
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
