// metav1.LabelSelector -> model Selector. matchLabels and matchExpressions are ANDed; an empty
// selector (`{}`) matches everything. Operators are Kubernetes' (In, NotIn, Exists, DoesNotExist),
// which the model has one-to-one; NotIn and DoesNotExist hold when the key is absent.

import type { LabelMatch, Selector } from "../../model.js";
import { checkLabelKey, checkLabelValue, nonStringLabelValue } from "../labels.js";
import { suggestion } from "../suggest.js";
import type { Path, Reporter } from "./reporter.js";

const OPERATORS = {
  In: "in",
  NotIn: "notin",
  Exists: "exists",
  DoesNotExist: "notexists",
} as const;
type Operator = keyof typeof OPERATORS;
const EXAMPLE = "`{ matchLabels: { app: web } }` (or `{}` for all)";

export function labelSelector(r: Reporter, value: unknown, path: Path): Selector | undefined {
  const obj = r.map(value, path, EXAMPLE);
  if (obj === undefined) return undefined;
  r.fields(obj, path, "a label selector", ["matchLabels", "matchExpressions"]);
  const match: LabelMatch[] = [];
  let ok = true;
  if (obj.matchLabels !== undefined && obj.matchLabels !== null) {
    const labels = matchLabels(r, obj.matchLabels, [...path, "matchLabels"]);
    if (labels === undefined) ok = false;
    else match.push(...labels);
  }
  const exprs = obj.matchExpressions ?? null;
  const list = r.list(
    exprs,
    [...path, "matchExpressions"],
    "`[{ key: tier, operator: In, values: [web] }]`",
  );
  if (list === undefined) ok = false;
  list?.forEach((e, i) => {
    const m = expression(r, e, [...path, "matchExpressions", i]);
    if (m === undefined) ok = false;
    else match.push(m);
  });
  return ok ? { match } : undefined;
}

function matchLabels(r: Reporter, value: unknown, path: Path): LabelMatch[] | undefined {
  const obj = r.map(value, path, "`{ app: web }`");
  if (obj === undefined) return undefined;
  const out: LabelMatch[] = [];
  for (const [key, v] of Object.entries(obj)) {
    const bad =
      checkLabelKey(key) ??
      (typeof v === "string" ? checkLabelValue(key, v) : nonStringLabelValue(key, v));
    if (bad !== undefined) r.report([...path, key], bad.code, bad.message);
    else out.push({ key, op: "in", values: [v as string] });
  }
  return out.length === Object.keys(obj).length ? out : undefined;
}

function expression(r: Reporter, value: unknown, path: Path): LabelMatch | undefined {
  const obj = r.map(value, path, "`{ key: tier, operator: In, values: [web] }`");
  if (obj === undefined) return undefined;
  r.fields(obj, path, "a match expression", ["key", "operator", "values"]);
  const key = r.string(obj.key, [...path, "key"], "`tier`");
  const badKey = key === undefined ? undefined : checkLabelKey(key);
  if (badKey !== undefined) r.report([...path, "key"], badKey.code, badKey.message);
  const op = operator(r, obj.operator, [...path, "operator"]);
  const values = expressionValues(r, obj.values, [...path, "values"], op, key ?? "");
  if (key === undefined || badKey !== undefined || op === undefined || values === undefined) {
    return undefined;
  }
  const modelOp = OPERATORS[op];
  return modelOp === "in" || modelOp === "notin"
    ? { key, op: modelOp, values }
    : { key, op: modelOp };
}

function operator(r: Reporter, value: unknown, path: Path): Operator | undefined {
  const text = r.string(value, path, "`In`");
  if (text === undefined) return undefined;
  if (Object.hasOwn(OPERATORS, text)) return text as Operator;
  const names = Object.keys(OPERATORS);
  r.report(
    path,
    "MSEG_POLICY_INVALID_SELECTOR",
    `operator \`${text}\` is not a label selector operator${suggestion(text, names)}; write one of ` +
      `${names.map((n) => `\`${n}\``).join(", ")} (they are case-sensitive)`,
  );
  return undefined;
}

/** In/NotIn need at least one value; Exists/DoesNotExist take none (Kubernetes rejects both). */
function expressionValues(
  r: Reporter,
  value: unknown,
  path: Path,
  op: Operator | undefined,
  key: string,
): string[] | undefined {
  const list = r.list(value ?? null, path, "`[web, api]`");
  if (list === undefined || op === undefined) return undefined;
  const needs = op === "In" || op === "NotIn";
  if (needs && list.length === 0) {
    const alt = op === "In" ? "Exists" : "DoesNotExist";
    r.report(
      path,
      "MSEG_POLICY_INVALID_SELECTOR",
      `operator \`${op}\` needs at least one value; list them, or use \`${alt}\` to match on the key alone`,
    );
    return undefined;
  }
  if (!needs && list.length > 0) {
    r.report(
      path,
      "MSEG_POLICY_INVALID_SELECTOR",
      `operator \`${op}\` takes no values; remove \`values\`, or use \`${op === "Exists" ? "In" : "NotIn"}\` to compare values`,
    );
    return undefined;
  }
  const out: string[] = [];
  list.forEach((v, i) => {
    const bad = typeof v === "string" ? checkLabelValue(key, v) : nonStringLabelValue(key, v);
    if (bad !== undefined) r.report([...path, i], bad.code, bad.message);
    else out.push(v as string);
  });
  return out.length === list.length ? out : undefined;
}
