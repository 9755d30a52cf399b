// Maps whose keys the user chooses (labels, selectors, named ports) keep every key: a key the
// label grammar refuses is reported, never dropped. `__proto__` is the key a record rebuilt by
// assignment loses (it sets the prototype instead), which once left an empty selector that
// matched every workload.
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../diagnostics.js";
import { loadPolicy } from "./index.js";

function load(text: string) {
  return loadPolicy([{ file: "p.yaml", text }]);
}

function codesAt(text: string): [string, string, number | undefined][] {
  return load(text).diagnostics.map((d: Diagnostic) => [d.code, d.path, d.line]);
}

describe("__proto__ as a key", () => {
  it("is refused in `from`, with the line and a fix", () => {
    const found = load("rules:\n  - from: { __proto__: monitoring }\n    to: any\n").diagnostics;
    expect(found.map((d) => [d.code, d.path, d.line])).toEqual([
      ["MSEG_POLICY_INVALID_LABEL", "rules[0].from.__proto__", 2],
    ]);
    expect(found[0]?.message).toMatch(/label key `__proto__` is not valid/);
  });

  it("is refused in `to`, in the `labels` form and beside other keys", () => {
    const text =
      "rules:\n  - from: any\n    to: { role: db, __proto__: { in: [x] } }\n" +
      "  - from: { labels: { __proto__: x } }\n    to: any\n";
    expect(codesAt(text)).toEqual([
      ["MSEG_POLICY_INVALID_LABEL", "rules[0].to.__proto__", 3],
      ["MSEG_POLICY_INVALID_LABEL", "rules[1].from.labels.__proto__", 4],
    ]);
  });

  it("is refused in scope matches, isolation and namespace peers", () => {
    const text =
      "scopes:\n  - name: s\n    match: { __proto__: x }\n    rules: []\n" +
      "isolation:\n  - { select: { __proto__: x }, directions: [inbound] }\n" +
      "rules:\n  - { from: { namespace: { __proto__: x }, pods: { __proto__: y } }, to: any }\n";
    expect(codesAt(text)).toEqual([
      ["MSEG_POLICY_INVALID_LABEL", "scopes[0].match.__proto__", 3],
      ["MSEG_POLICY_INVALID_LABEL", "isolation[0].select.__proto__", 6],
      ["MSEG_POLICY_INVALID_LABEL", "rules[0].from.namespace.__proto__", 8],
      ["MSEG_POLICY_INVALID_LABEL", "rules[0].from.pods.__proto__", 8],
    ]);
  });

  it("is refused in workload and namespace labels", () => {
    const text =
      "namespaces:\n  - { name: n, labels: { __proto__: x } }\n" +
      "workloads:\n  - name: w\n    labels: { __proto__: x }\n";
    expect(codesAt(text)).toEqual([
      ["MSEG_POLICY_INVALID_LABEL", "namespaces[0].labels.__proto__", 2],
      ["MSEG_POLICY_INVALID_LABEL", "workloads[0].labels.__proto__", 5],
    ]);
  });

  it("is refused as a named port", () => {
    const text = "workloads:\n  - name: w\n    namedPorts: { __proto__: tcp/80 }\n";
    const found = load(text).diagnostics;
    expect(found.map((d) => [d.code, d.path, d.line])).toEqual([
      ["MSEG_POLICY_INVALID_NAME", "workloads[0].namedPorts.__proto__", 3],
    ]);
    expect(found[0]?.message).toMatch(/named port `__proto__` is not valid/);
  });

  it("is refused in Kubernetes matchLabels", () => {
    const text =
      "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: np }\n" +
      "spec:\n  podSelector: { matchLabels: { __proto__: x } }\n";
    expect(codesAt(text)).toEqual([
      ["MSEG_POLICY_INVALID_LABEL", "spec.podSelector.matchLabels.__proto__", 5],
    ]);
  });
});

describe("keys named like Object.prototype members", () => {
  it("are kept as the labels they are", () => {
    const text =
      "workloads:\n  - name: w\n    labels: { constructor: a, toString: b, hasOwnProperty: c }\n" +
      "    namedPorts: { constructor: tcp/8080 }\n" +
      "rules:\n  - { from: { constructor: a, toString: { exists: true } }, to: { valueOf: [x] } }\n";
    const loaded = load(text);
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.workloads[0]?.labels).toEqual({
      constructor: "a",
      toString: "b",
      hasOwnProperty: "c",
    });
    expect(Object.keys(loaded.workloads[0]?.namedPorts ?? {})).toEqual(["constructor"]);
    const rule = loaded.policy.rules[0];
    expect(rule?.from).toEqual([
      {
        kind: "workloads",
        selector: {
          match: [
            { key: "constructor", op: "in", values: ["a"] },
            { key: "toString", op: "exists" },
          ],
        },
      },
    ]);
    expect(rule?.to).toEqual([
      { kind: "workloads", selector: { match: [{ key: "valueOf", op: "in", values: ["x"] }] } },
    ]);
  });

  it("are not Kubernetes protocols", () => {
    for (const proto of ["constructor", "__proto__", "toString"]) {
      const text =
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: np }\n" +
        `spec:\n  podSelector: {}\n  ingress:\n    - ports: [{ protocol: ${proto}, port: 80 }]\n`;
      expect(codesAt(text)).toEqual([
        ["MSEG_POLICY_INVALID_VALUE", "spec.ingress[0].ports[0].protocol", 7],
      ]);
    }
  });
});

describe("YAML 1.1 collections", () => {
  it("a `!!set` is the wrong type for a selector or labels, not an empty map", () => {
    const text =
      "%YAML 1.1\n---\nworkloads:\n  - { name: w, labels: !!set { role } }\n" +
      "rules:\n  - { from: !!set { role }, to: any }\n";
    expect(codesAt(text)).toEqual([
      ["MSEG_POLICY_WRONG_TYPE", "workloads[0].labels", 4],
      ["MSEG_POLICY_WRONG_TYPE", "rules[0].from", 6],
    ]);
  });

  it("a `!!set` is not an empty Kubernetes matchLabels", () => {
    const text =
      "%YAML 1.1\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: np }\n" +
      "spec:\n  podSelector: { matchLabels: !!set { app } }\n";
    expect(codesAt(text)).toEqual([["MSEG_POLICY_WRONG_TYPE", "spec.podSelector.matchLabels", 7]]);
  });
});

describe("__proto__ as a field", () => {
  it("is an unknown field of a document, a rule and a selector operator", () => {
    const cases: [string, string, number][] = [
      ["__proto__: { rules: [] }\n", "__proto__", 1],
      [
        "rules:\n  - { from: any, to: any, __proto__: { action: deny } }\n",
        "rules[0].__proto__",
        2,
      ],
      [
        "rules:\n  - { from: { env: { __proto__: { in: [x] }, in: [y] } }, to: any }\n",
        "rules[0].from.env.__proto__",
        2,
      ],
    ];
    for (const [text, path, line] of cases) {
      expect(codesAt(text)).toEqual([["MSEG_POLICY_UNKNOWN_FIELD", path, line]]);
    }
    const [d] = load(cases[1]?.[0] ?? "").diagnostics;
    expect(d?.message).toMatch(/^unknown field `__proto__`; a rule takes name, /);
  });
});

describe("values whose keys shadow Object.prototype", () => {
  it("are reported, not thrown", () => {
    const texts = [
      "workloads:\n  - { name: w, mode: { toString: 1 } }\n",
      "rules:\n  - { from: any, to: any, action: { toString: x } }\n",
      "apiVersion: { toString: 1 }\nkind: NetworkPolicy\n",
      "apiVersion: { toString: 1 }\nkind: List\nitems: []\n",
      "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: n }\n" +
        "spec: { podSelector: {}, policyTypes: [{ toString: 1 }] }\n",
    ];
    for (const text of texts) {
      const found = load(text).diagnostics;
      expect(found.length).toBeGreaterThan(0);
      expect(found.some((d) => /\{"toString":(1|"x")\}/.test(d.message))).toBe(true);
    }
  });
});
