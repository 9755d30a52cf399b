// Generated valid policies (every peer form, every selector operator, IP lists with exceptions,
// named services and ports, scopes, isolation, workloads in namespaces, tests) survive
// render -> parse unchanged. MICROSEG_FUZZ_RUNS / MICROSEG_FUZZ_SEED run it longer or elsewhere.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fuzzSettings } from "../testing/fuzz.js";
import { validPolicy } from "../testing/policy-arbitraries.js";
import { renderPolicy } from "../testing/render-policy.js";
import { loadPolicy } from "./index.js";

const settings = fuzzSettings(process.env, 100);

/**
 * The round trip is about meaning: sources are where the renderer put things, and a selector's
 * requirements are all-of, in whatever order (YAML maps list integer-like keys such as `"0"` first).
 */
function meaning<T extends { source?: unknown }>(items: readonly T[]): unknown {
  return canonical(items.map(({ source: _, ...rest }) => rest));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value !== "object" || value === null) return value;
  const out = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, canonical(v)]));
  if (Array.isArray(out.match)) {
    out.match = [...out.match].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
  return out;
}

describe("render -> parse", () => {
  it("reads back every generated valid policy as it was", () => {
    fc.assert(
      fc.property(validPolicy, (p) => {
        const text = renderPolicy({
          policy: { rules: p.rules, ipLists: p.ipLists, isolation: p.isolation },
          workloads: p.workloads,
          tests: p.tests,
          services: p.services,
        });
        const loaded = loadPolicy([{ file: "p.yaml", text }]);
        expect(loaded.diagnostics, text).toEqual([]);
        expect(meaning(loaded.policy.rules)).toEqual(meaning(p.rules));
        expect(loaded.policy.ipLists).toEqual(p.ipLists);
        expect(meaning(loaded.policy.isolation)).toEqual(meaning(p.isolation));
        expect(loaded.workloads).toEqual(p.workloads);
        expect(meaning(loaded.tests)).toEqual(p.tests);
      }),
      settings,
    );
  });

  it("names each rule's source path so that it leads back to the rule", () => {
    fc.assert(
      fc.property(validPolicy, (p) => {
        const text = renderPolicy({
          policy: { rules: p.rules, ipLists: p.ipLists, isolation: [] },
        });
        const loaded = loadPolicy([{ file: "p.yaml", text }]);
        for (const rule of loaded.policy.rules) {
          expect(rule.source.path).toMatch(/^(rules|scopes\[\d+\]\.rules)\[\d+\]$/);
          expect(rule.source.file).toBe("p.yaml");
        }
      }),
      { ...settings, numRuns: Math.ceil(settings.numRuns / 3) },
    );
  });
});
