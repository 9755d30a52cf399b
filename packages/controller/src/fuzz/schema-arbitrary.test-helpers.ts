// fast-check arbitraries from the JSON Schemas of the OpenAPI document: values that mostly
// follow the schema (so requests get past the first field check and reach the use cases) mixed
// with hostile ones (wrong types, boundary and huge numbers, control characters, prototype keys,
// missing and unknown fields). Only the JSON Schema subset zod's toJSONSchema emits is read:
// type, enum, const, anyOf/oneOf, properties/required/additionalProperties, items/prefixItems,
// min/max of numbers, lengths and items. Anything else falls back to any JSON value.
import fc from "fast-check";

export type JsonSchema = {
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: JsonSchema | boolean;
  readonly items?: JsonSchema;
  readonly prefixItems?: readonly JsonSchema[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
};

/** Strings that have broken parsers, terminals, logs and databases elsewhere. */
export const HOSTILE_STRINGS = [
  "",
  " ",
  "\u0000",
  "\u001b[31mred\u001b[0m",
  "line\nbreak",
  "\u2028\u2029",
  "\u202eevil",
  "__proto__",
  "constructor",
  "toString",
  "../../../etc/passwd",
  "%2e%2e%2f",
  "' OR 1=1 --",
  "$\u007bjndi:ldap://x}",
  "<script>alert(1)</script>",
  "1e300",
  "-1",
  "NaN",
  "9007199254740993",
  "😀",
  "\ud800",
  "a".repeat(300),
  "x".repeat(70_000),
];

export const HOSTILE_NUMBERS = [
  -1,
  0,
  0.5,
  -0,
  1e300,
  -1e300,
  2 ** 31,
  2 ** 53,
  2 ** 63,
  Number.MAX_SAFE_INTEGER,
  Number.MIN_SAFE_INTEGER,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
];

const hostileString = fc.constantFrom(...HOSTILE_STRINGS);
const hostileNumber = fc.constantFrom(...HOSTILE_NUMBERS);

/** Any JSON value, hostile leaves included, up to a small depth. */
export const anyJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    hostileNumber,
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    hostileString,
    fc.string(),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string(), hostileString), tie("value"), { maxKeys: 4 }),
  ),
})).value;

/** Values that follow the schema as far as this subset can tell. */
export function conforming(
  schema: JsonSchema | boolean | undefined,
  depth = 0,
): fc.Arbitrary<unknown> {
  if (schema === undefined || schema === true || depth > 6) return anyJson;
  if (schema === false) return fc.constant(null);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum !== undefined) return fc.constantFrom(...schema.enum);
  const options = schema.anyOf ?? schema.oneOf;
  if (options !== undefined) return fc.oneof(...options.map((s) => conforming(s, depth + 1)));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case "null":
      return fc.constant(null);
    case "boolean":
      return fc.boolean();
    case "integer":
      return fc.integer({
        min: Math.max(schema.minimum ?? -(2 ** 31), Number.MIN_SAFE_INTEGER),
        max: Math.min(schema.maximum ?? 2 ** 31, Number.MAX_SAFE_INTEGER),
      });
    case "number":
      return fc.double({
        min: schema.minimum ?? -1e9,
        max: schema.maximum ?? 1e9,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case "string":
      return fc.string({
        minLength: schema.minLength ?? 0,
        maxLength: Math.min(schema.maxLength ?? 40, 40),
      });
    case "array":
      return arrayOf(schema, depth);
    case "object":
      return objectOf(schema, depth);
    default:
      return anyJson;
  }
}

/** Mostly conforming, sometimes hostile, at every level of the value. */
export function fuzzed(schema: JsonSchema | boolean | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (schema === undefined || typeof schema === "boolean" || depth > 6) return anyJson;
  const hostile = fc.oneof(anyJson, hostileString, hostileNumber);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  const nested =
    type === "object" && schema.properties !== undefined
      ? objectOf(schema, depth, (s) => fuzzed(s, depth + 1))
      : type === "array" && (schema.items !== undefined || schema.prefixItems !== undefined)
        ? arrayOf(schema, depth, (s) => fuzzed(s, depth + 1))
        : conforming(schema, depth);
  return fc.oneof(
    { arbitrary: conforming(schema, depth), weight: 4 },
    { arbitrary: nested, weight: 3 },
    { arbitrary: hostile, weight: 1 },
  );
}

type Make = (schema: JsonSchema | boolean | undefined) => fc.Arbitrary<unknown>;

function arrayOf(schema: JsonSchema, depth: number, make?: Make): fc.Arbitrary<unknown> {
  const child: Make = make ?? ((s) => conforming(s, depth + 1));
  if (schema.prefixItems !== undefined) return fc.tuple(...schema.prefixItems.map(child));
  return fc.array(child(schema.items), {
    minLength: schema.minItems ?? 0,
    maxLength: Math.min(schema.maxItems ?? 5, 5),
  });
}

function objectOf(schema: JsonSchema, depth: number, make?: Make): fc.Arbitrary<unknown> {
  const child: Make = make ?? ((s) => conforming(s, depth + 1));
  const props = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const known = fc.record(
    Object.fromEntries(Object.entries(props).map(([k, s]) => [k, child(s)])),
    { requiredKeys: Object.keys(props).filter((k) => required.has(k)) },
  );
  const extra = schema.additionalProperties;
  if (Object.keys(props).length === 0 && extra !== undefined && extra !== false) {
    // A map (labels, named ports): user-chosen keys, hostile ones included.
    return fc.dictionary(fc.oneof(fc.string({ maxLength: 12 }), hostileString), child(extra), {
      maxKeys: 4,
    });
  }
  return known;
}

type Path = readonly (string | number)[];

function pathsOf(value: unknown, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) pathsOf(v, [...at, i], out);
  } else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) pathsOf(v, [...at, k], out);
  }
  return out;
}

function replaceAt(value: unknown, path: Path, next: (old: unknown) => unknown): unknown {
  if (path.length === 0) return next(value);
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    return value.map((v, i) => (i === head ? replaceAt(v, rest, next) : v));
  }
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  copy[head as string] = replaceAt(copy[head as string], rest, next);
  return copy;
}

/**
 * A valid example with one place changed: a leaf replaced by a hostile value, a key removed, or
 * a hostile key added to an object — the classic way to reach the checks behind the first one.
 */
export function mutated(example: unknown): fc.Arbitrary<unknown> {
  const paths = pathsOf(example);
  return fc
    .record({
      at: fc.nat({ max: paths.length - 1 }),
      how: fc.constantFrom("replace", "replace", "replace", "drop", "add-key"),
      number: hostileNumber,
      text: hostileString,
      any: anyJson,
      sameType: fc.boolean(),
      key: fc.oneof(hostileString, fc.string({ maxLength: 8 })),
    })
    .map(({ at, how, number, text, any, sameType, key }) => {
      const path = paths[at] ?? [];
      // Mostly a hostile value of the same type, which passes a type check and meets the range
      // and content checks behind it.
      const hostile = (old: unknown) =>
        !sameType ? any : typeof old === "number" ? number : typeof old === "string" ? text : any;
      if (how === "replace") return replaceAt(example, path, hostile);
      if (how === "drop" && path.length > 0) {
        return replaceAt(example, path.slice(0, -1), (parent) => {
          if (Array.isArray(parent)) return parent.filter((_v, i) => i !== path.at(-1));
          const { [path.at(-1) as string]: _gone, ...rest } = parent as Record<string, unknown>;
          return rest;
        });
      }
      return replaceAt(example, path, (old) => {
        if (typeof old !== "object" || old === null || Array.isArray(old)) return hostile(old);
        const copy = { ...(old as Record<string, unknown>) };
        const value = typeof Object.values(copy)[0] === "string" ? text : any;
        Object.defineProperty(copy, key, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
        return copy;
      });
    });
}
