// Small building blocks over zod so that schemas report registry codes and actionable messages.
//
// Contract with zod-issues.ts: a custom issue carries `params.mseg` (an ErrorCode) and a final
// message; unknown fields carry `params.known` (the fields the object accepts) and get their
// message there, where the field's name (the last path segment) is known.

import { z } from "zod";
import type { Problem } from "./problem.js";
import type { PathSegment } from "./yaml-lines.js";

export function report(ctx: z.RefinementCtx, p: Problem, path: readonly PathSegment[] = []): void {
  ctx.addIssue({ code: "custom", message: p.message, path: [...path], params: { mseg: p.code } });
}

/** A string that must also pass a hand-written check. */
export function checked(check: (text: string) => Problem | undefined) {
  return z.string().superRefine((text, ctx) => {
    const p = check(text);
    if (p !== undefined) report(ctx, p);
  });
}

/**
 * Like z.strictObject, but each unknown field becomes its own issue (at the field's own path and
 * line) that knows which fields the object does accept, so the message can suggest one.
 * zod's catchall skips a `__proto__` key without a word, so that one is checked first; an object
 * with it is reported for that key alone, which is enough for a key no one writes by mistake.
 */
export function strict<T extends z.ZodRawShape>(kind: string, shape: T) {
  const known = Object.keys(shape);
  const unknownIssue = (path: PathSegment[] = []) => ({
    code: "custom" as const,
    message: "unknown field",
    path,
    params: { mseg: "MSEG_POLICY_UNKNOWN_FIELD", known, kind },
  });
  const unknownField = z.unknown().superRefine((_value, ctx) => ctx.addIssue(unknownIssue()));
  const noProto = z.unknown().superRefine((input, ctx) => {
    if (isPlainMap(input) && Object.hasOwn(input, "__proto__") && !known.includes("__proto__")) {
      ctx.addIssue(unknownIssue(["__proto__"]));
    }
  });
  return noProto.pipe(z.object(shape).catchall(unknownField));
}

/**
 * Parses `value` with `schema` from inside another schema's transform, forwarding its issues
 * (their paths relative to the current value, after `at`). Undefined when it failed; the enclosing
 * parse fails too, so what the transform returns then is never used.
 */
export function forward<T>(
  schema: z.ZodType<T>,
  value: unknown,
  ctx: z.RefinementCtx,
  at: readonly PathSegment[] = [],
): T | undefined {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) ctx.addIssue({ ...issue, path: [...at, ...issue.path] });
  return undefined;
}

export interface UserMapChecks<V> {
  /** A problem with the key alone, e.g. the label grammar. */
  readonly key?: (name: string) => Problem | undefined;
  /** A problem with a parsed entry that needs both key and value (reported at the key). */
  readonly entry?: (name: string, value: V) => Problem | undefined;
  /** Reported for a map with no key at all. */
  readonly ifEmpty?: Problem;
}

/**
 * A map whose keys the user chooses (labels, selectors, named ports), as its entries in order.
 * Every own key of the raw value is kept and checked; each value is parsed by `value` at its own
 * path. Not z.record: that rebuilds the map by assignment, and assigning `__proto__` sets the
 * prototype instead, silently dropping the key (`{ __proto__: x }` became the empty selector).
 * Only plain maps count: a YAML 1.1 `!!set` or `!!timestamp` is the wrong type, not an empty map.
 */
export function userMap<V>(value: z.ZodType<V>, checks: UserMapChecks<V> = {}) {
  return z.unknown().transform((input, ctx): [string, V][] => {
    if (!isPlainMap(input)) {
      ctx.addIssue({ code: "invalid_type", expected: "record", input });
      return [];
    }
    if (checks.ifEmpty !== undefined && Object.keys(input).length === 0) {
      report(ctx, checks.ifEmpty);
    }
    const out: [string, V][] = [];
    for (const [name, raw] of Object.entries(input)) {
      const badKey = checks.key?.(name);
      if (badKey !== undefined) report(ctx, badKey, [name]);
      const parsed = forward(value, raw, ctx, [name]);
      if (parsed === undefined) continue;
      const bad = badKey === undefined ? checks.entry?.(name, parsed) : undefined;
      if (bad !== undefined) report(ctx, bad, [name]);
      out.push([name, parsed]);
    }
    return out;
  });
}

export function isPlainMap(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** One item or a list of them; the output is always a list. */
export function oneOrMany<T>(item: z.ZodType<T>) {
  const many = z.array(item);
  return z.unknown().transform((value, ctx): T[] => {
    if (Array.isArray(value)) return forward(many, value, ctx) ?? [];
    const one = forward(item, value, ctx);
    return one === undefined ? [] : [one];
  });
}

/** A list that must not be empty; `why` ends the message ("… is empty; <why>"). */
export function nonEmpty<T extends z.ZodType<unknown[]>>(schema: T, field: string, why: string) {
  return schema.superRefine((list, ctx) => {
    if (list.length === 0) {
      report(ctx, { code: "MSEG_POLICY_INVALID_VALUE", message: `\`${field}\` is empty; ${why}` });
    }
  });
}

/** A top-level section: a list, where an empty `rules:` (null) counts as no entries. */
export function section<T>(item: z.ZodType<T>) {
  return z
    .array(item)
    .nullish()
    .transform((list): T[] => list ?? []);
}
