// What one load of policy text may cost: each limit is refused with its own code, before the
// work it guards, and fast. The alias bombs and the 5,000 documents are the shapes that took the
// controller down (minutes of CPU, gigabytes, and a stack overflow on the diagnostics).
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../diagnostics.js";
import { aliasBomb, BOMB_RULE } from "../testing/hostile-policy.js";
import { loadPolicy } from "./index.js";

/**
 * Generous for a busy CI machine: refusing takes one pass of the YAML tokenizer (about 0.1 s for
 * 166 KB on a quiet machine); without the limits these inputs took minutes.
 */
const REFUSED_WITHIN_MS = 5000;

function timed(text: string, file = "p.yaml") {
  const start = performance.now();
  const loaded = loadPolicy([{ file, text }]);
  return { loaded, ms: performance.now() - start };
}

function codes(diagnostics: readonly Diagnostic[]) {
  return diagnostics.map((d) => [d.code, d.file, d.path, d.line]);
}

describe("alias expansion", () => {
  it("refuses the 166 KB bomb (1,000,000 rules once expanded) at the alias that passes the limit", () => {
    const text = aliasBomb(2000, 499);
    expect(text.length).toBeGreaterThan(166_000);
    const { loaded, ms } = timed(text);
    // 2,000 rules of 12 nodes are 24,001 under the anchor; the 8th alias passes 200,000.
    expect(codes(loaded.diagnostics)).toEqual([["MSEG_YAML_TOO_MANY_NODES", "p.yaml", "", 2012]]);
    expect(loaded.diagnostics[0]?.message).toMatch(/more than 200,000 YAML nodes once each alias/);
    expect(loaded.policy.rules).toEqual([]);
    expect(ms).toBeLessThan(REFUSED_WITHIN_MS);
  });

  it("refuses the 215 KB bomb of invalid rules (once a stack overflow) the same way", () => {
    const text = aliasBomb(2820, 499, BOMB_RULE.replace("tcp/5432", "tcp/0"));
    expect(text.length).toBeGreaterThan(215 * 1024);
    const { loaded, ms } = timed(text);
    expect(codes(loaded.diagnostics)).toEqual([["MSEG_YAML_TOO_MANY_NODES", "p.yaml", "", 2829]]);
    expect(ms).toBeLessThan(REFUSED_WITHIN_MS);
  });

  it("accepts aliases that stay within the limit, expanded", () => {
    const loaded = loadPolicy([{ file: "p.yaml", text: aliasBomb(10, 20) }]);
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.policy.rules).toHaveLength(210);
  });

  it("refuses an alias inside the node it names, which would never end", () => {
    const text = "workloads:\n  - &w\n    name: w\n    labels: { a: *w }\n";
    const [d, ...rest] = loadPolicy([{ file: "p.yaml", text }]).diagnostics;
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ code: "MSEG_YAML_SYNTAX", line: 4 });
    expect(d?.message).toMatch(/alias `\*w` stands inside the very node it names/);
  });
});

describe("aliases naming no anchor", () => {
  it("are reported with their line", () => {
    const text = "rules:\n  - from: any\n    to: *nowhere\n";
    const [d, ...rest] = loadPolicy([{ file: "p.yaml", text }]).diagnostics;
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ code: "MSEG_YAML_SYNTAX", line: 3 });
    expect(d?.message).toMatch(/alias `\*nowhere` names no anchor before it/);
  });
});

describe("documents, depth and bytes", () => {
  it("refuses 5,000 `---` documents (70 KB) where document 1,001 starts", () => {
    const text = "rules: []\n---\n".repeat(5000);
    expect(text.length).toBe(70_000);
    const { loaded, ms } = timed(text);
    expect(codes(loaded.diagnostics)).toEqual([
      ["MSEG_YAML_TOO_MANY_DOCUMENTS", "p.yaml", "", 2000],
    ]);
    expect(loaded.diagnostics[0]?.message).toMatch(/more than 1,000 YAML documents/);
    expect(ms).toBeLessThan(REFUSED_WITHIN_MS);
  });

  it("refuses nesting deeper than 64 levels, also a megabyte of brackets", () => {
    const deep = (n: number) => `rules:\n  - from: ${"[".repeat(n)}${"]".repeat(n)}\n`;
    const found = (text: string) => codes(loadPolicy([{ file: "p.yaml", text }]).diagnostics);
    expect(found(deep(100))).toEqual([["MSEG_YAML_TOO_DEEP", "p.yaml", "", 2]]);
    expect(found(deep(60)).map(([code]) => code)).not.toContain("MSEG_YAML_TOO_DEEP");
    const { loaded, ms } = timed("[".repeat(1_000_000));
    expect(codes(loaded.diagnostics)).toEqual([["MSEG_YAML_TOO_DEEP", "p.yaml", "", 1]]);
    expect(ms).toBeLessThan(REFUSED_WITHIN_MS);
  });

  it("refuses a file over 1 MiB of UTF-8, counting bytes, not characters", () => {
    const comment = (n: number, ch = "x") => `#${ch.repeat(n - 2)}\n`;
    expect(loadPolicy([{ file: "p.yaml", text: comment(1_048_576) }]).diagnostics).toEqual([]);
    for (const text of [comment(1_048_577), comment(524_290, "é")]) {
      const [d, ...rest] = loadPolicy([{ file: "p.yaml", text }]).diagnostics;
      expect(rest).toEqual([]);
      expect(d).toMatchObject({ code: "MSEG_YAML_TOO_LARGE", file: "p.yaml", path: "" });
      expect(d?.message).toMatch(/more than the limit of 1,048,576 bytes per file; split it/);
    }
  });
});

describe("rules", () => {
  it("refuses more than 10,000 rules, naming the first one past the limit", () => {
    const text = `rules:\n${"  - { from: any, to: any }\n".repeat(10_001)}`;
    const { loaded } = timed(text);
    expect(codes(loaded.diagnostics)).toEqual([
      ["MSEG_POLICY_TOO_MANY_RULES", "p.yaml", "rules[10000]", 10_002],
    ]);
    expect(loaded.diagnostics[0]?.message).toMatch(
      /has 10,001 rules .* more than the limit of 10,000/,
    );
  });

  it("refuses more than 200,000 rule ports once named services are expanded", () => {
    // 136 KB: 2,000 rules naming one service of 5,000 ports were 10,000,000 ports.
    const ports = Array.from({ length: 5000 }, (_, i) => `tcp/${i + 1}`).join(", ");
    const text =
      `services:\n  - { name: many, ports: [${ports}] }\nrules:\n` +
      "  - { from: any, to: any, services: [many, tcp/1] }\n".repeat(2000);
    const { loaded, ms } = timed(text);
    expect(codes(loaded.diagnostics)).toEqual([
      ["MSEG_POLICY_TOO_MANY_PORTS", "p.yaml", "rules[39]", 43],
    ]);
    expect(loaded.diagnostics[0]?.message).toMatch(/more than the limit of 200,000/);
    expect(ms).toBeLessThan(REFUSED_WITHIN_MS);
  });

  it("counts scoped and Kubernetes rules across files; limits can be lowered per load", () => {
    const native =
      "rules:\n  - { from: any, to: any }\nscopes:\n  - name: s\n    match: { a: b }\n    rules: [{ from: any, to: any }, { from: any, to: any }]\n";
    const k8s =
      "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: np }\n" +
      "spec: { podSelector: {}, ingress: [{}, {}] }\n";
    const files = [
      { file: "a.yaml", text: native },
      { file: "np.yaml", text: k8s },
    ];
    expect(loadPolicy(files, { limits: { maxRules: 5 } }).diagnostics).toEqual([]);
    const over = loadPolicy(files, { limits: { maxRules: 2 } });
    expect(codes(over.diagnostics)).toEqual([
      ["MSEG_POLICY_TOO_MANY_RULES", "a.yaml", "scopes[0].rules[1]", 6],
    ]);
    const k8sOver = loadPolicy(files, { limits: { maxRules: 4 } }).diagnostics;
    expect(codes(k8sOver)).toEqual([
      ["MSEG_POLICY_TOO_MANY_RULES", "np.yaml", "spec.ingress[1]", undefined],
    ]);
  });
});
