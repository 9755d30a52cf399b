// Hostile input never crashes the parser and is never misread. Inputs: YAML-ish noise, valid
// policies with characters inserted or removed, valid policies with one field replaced by an
// arbitrary value (huge numbers, unicode, nested maps, keys such as `__proto__`), and hostile keys
// added to selectors. Every answer is either diagnostics with registry codes, or a policy whose
// selectors hold a requirement for every key the input had and whose ports are what it said.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseAllDocuments, stringify } from "yaml";
import type { Diagnostic } from "../diagnostics.js";
import { ERROR_CODES } from "../errors.js";
import type { Peer, Rule } from "../model.js";
import { formatServicePort, parseServicePort } from "../ports.js";
import { fuzzSettings } from "../testing/fuzz.js";
import { HOSTILE_KEYS, validPolicy } from "../testing/policy-arbitraries.js";
import { renderPolicy } from "../testing/render-policy.js";
import { loadPolicy } from "./index.js";
import { isPlainMap } from "./zod-kit.js";

const settings = fuzzSettings(process.env, 100);
const stats = { inputs: 0, crashes: 0, unclear: 0, accepted: 0 };

const rendered = validPolicy.map((p) =>
  renderPolicy({
    policy: { rules: p.rules, ipLists: p.ipLists, isolation: p.isolation },
    workloads: p.workloads,
    tests: p.tests,
    services: p.services,
  }),
);

const yamlish = fc.string({
  unit: fc.constantFrom(
    ..."abc:- []{}&*!|>#'\"\n\t ,?%@`\\/0123456789é😀".split(""),
    "rules:",
    "from: ",
    "to: ",
    "__proto__",
    "any",
    "tcp/80",
    "---\n",
    "  - ",
    "&a ",
    "*a",
    "<<: ",
    "!!set ",
  ),
  maxLength: 80,
});

const mutated = fc
  .tuple(
    rendered,
    fc.array(fc.tuple(fc.nat(), fc.nat(3), fc.string({ maxLength: 3 })), {
      minLength: 1,
      maxLength: 4,
    }),
  )
  .map(([text, edits]) =>
    edits.reduce((t, [at, cut, insert]) => {
      const i = at % (t.length + 1);
      return t.slice(0, i) + insert + t.slice(i + cut);
    }, text),
  );

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(1e308, -0, 2 ** 53 + 1, 65536, 0, "", "é", "😀", "tcp/80-90-1000", "TCP/080"),
  fc.dictionary(
    fc.constantFrom(...HOSTILE_KEYS, "in", "notIn", "exists", "ipList", "é"),
    fc.jsonValue({ maxDepth: 2 }),
    { maxKeys: 3 },
  ),
  fc.string({ unit: "grapheme", maxLength: 10 }),
);

/** A valid policy as a plain object, with one value somewhere replaced by a hostile one. */
const replaced = fc
  .tuple(rendered, fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), hostileValue)
  .map(([text, steps, value]) => {
    const doc = parseAllDocuments(text)[0]?.toJS() as unknown;
    replaceSomewhere(doc, steps, value);
    return stringify(doc);
  });

/** A hostile key added to one selector of a valid policy (kept, or refused: never dropped). */
const hostileKey = fc
  .tuple(rendered, fc.constantFrom(...HOSTILE_KEYS, "é", "a b", "", "x".repeat(70)), fc.nat())
  .map(([text, key, pick]) => {
    const doc = parseAllDocuments(text)[0]?.toJS() as Record<string, unknown>;
    const maps = selectorMaps(doc);
    const target = maps[pick % Math.max(1, maps.length)];
    if (target !== undefined)
      Object.defineProperty(target, key, {
        value: "x",
        enumerable: true,
        configurable: true,
        writable: true,
      });
    return stringify(doc);
  });

function replaceSomewhere(root: unknown, steps: readonly number[], value: unknown): void {
  let node = root;
  for (const [i, step] of steps.entries()) {
    if (typeof node !== "object" || node === null) return;
    const keys = Object.keys(node);
    if (keys.length === 0) return;
    const key = keys[step % keys.length] as string;
    const next = (node as Record<string, unknown>)[key];
    if (i === steps.length - 1 || typeof next !== "object" || next === null) {
      (node as Record<string, unknown>)[key] = value;
      return;
    }
    node = next;
  }
}

function selectorMaps(doc: Record<string, unknown>): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const rule of rawRules(doc)) {
    for (const side of ["from", "to"]) {
      for (const p of asList(rule[side]))
        if (isPlainMap(p) && p.ipList === undefined && p.cidrs === undefined) out.push(p);
    }
  }
  return out;
}

function rawRules(doc: unknown): Record<string, unknown>[] {
  if (!isPlainMap(doc)) return [];
  const scoped = asList(doc.scopes).flatMap((s) => (isPlainMap(s) ? asList(s.rules) : []));
  return [...asList(doc.rules), ...scoped].filter(isPlainMap);
}

function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
}

/** The label keys a raw peer names, by the form it has. */
function rawKeys(peer: unknown): string[] | undefined {
  if (!isPlainMap(peer)) return undefined;
  if ("ipList" in peer || "cidrs" in peer || "except" in peer) return undefined;
  if (Object.hasOwn(peer, "namespace") || Object.hasOwn(peer, "pods")) {
    return [...Object.keys(asMap(peer.namespace)), ...Object.keys(asMap(peer.pods))];
  }
  if (Object.hasOwn(peer, "labels")) return Object.keys(asMap(peer.labels));
  return Object.keys(peer);
}

function asMap(v: unknown): Record<string, unknown> {
  return isPlainMap(v) ? v : {};
}

function parsedKeys(peer: Peer | undefined): string[] {
  if (peer?.kind !== "workloads") return [];
  return [...(peer.namespaceSelector?.match ?? []), ...peer.selector.match].map((m) => m.key);
}

/** Every key of every raw selector is a requirement; every inline port is what its text says. */
function expectNothingDropped(text: string, rules: readonly Rule[]): void {
  const raw = parseAllDocuments(text).flatMap((d) => rawRules(d.toJS({ maxAliasCount: -1 })));
  expect(rules.length).toBeGreaterThanOrEqual(raw.length);
  raw.forEach((r, i) => {
    const rule = rules[i] as Rule;
    for (const side of ["from", "to"] as const) {
      asList(r[side]).forEach((p, j) => {
        const keys = rawKeys(p);
        if (keys !== undefined) expect(new Set(parsedKeys(rule[side][j]))).toEqual(new Set(keys));
      });
    }
    const ports = asList(r.services).filter(
      (s): s is string => typeof s === "string" && s.includes("/"),
    );
    if (rule.services.length === 0) return;
    const written = new Set(rule.services.map(formatServicePort));
    for (const text of ports) {
      const parsed = parseServicePort(text);
      expect(parsed.ok).toBe(true);
      if (parsed.ok) expect(written).toContain(formatServicePort(parsed.port));
    }
  });
}

function check(text: string): void {
  stats.inputs++;
  let loaded: ReturnType<typeof loadPolicy>;
  try {
    loaded = loadPolicy([{ file: "fuzz.yaml", text }]);
  } catch (err) {
    stats.crashes++;
    throw err;
  }
  for (const d of loaded.diagnostics) expectClear(d);
  if (loaded.diagnostics.length === 0) {
    stats.accepted++;
    expectNothingDropped(text, loaded.policy.rules);
  }
}

/**
 * Clear: a registry code, a message, and a place, a path inside the document or at least a line
 * (a whole-file limit such as the byte size has neither, but fuzzing never reaches it).
 */
function expectClear(d: Diagnostic): void {
  const clear =
    Object.hasOwn(ERROR_CODES, d.code) &&
    d.message.length > 0 &&
    (d.path !== "" || d.line !== undefined);
  if (!clear) stats.unclear++;
  expect(Object.hasOwn(ERROR_CODES, d.code), d.code).toBe(true);
  expect(d.message.length).toBeGreaterThan(0);
  expect(d.file).toBe("fuzz.yaml");
  expect(d.path !== "" || d.line !== undefined, JSON.stringify(d)).toBe(true);
}

describe("hostile input", () => {
  it.each([
    ["YAML-ish noise", yamlish],
    ["valid policies with characters inserted and removed", mutated],
    ["valid policies with one value replaced", replaced],
    ["valid policies with a hostile selector key", hostileKey],
  ])("%s: only diagnostics with registry codes, or a policy read as written", (_name, inputs) => {
    fc.assert(fc.property(inputs as fc.Arbitrary<string>, check), settings);
  });

  it("reports what a long run found", () => {
    if (process.env.MICROSEG_FUZZ_RUNS !== undefined) {
      console.log(
        `fuzz: seed ${settings.seed}, ${settings.numRuns} runs per property: ${JSON.stringify(stats)}`,
      );
    }
    expect(stats).toMatchObject({ crashes: 0, unclear: 0 });
  });
});
