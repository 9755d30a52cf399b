// An empty native selector is refused wherever it would silently widen a rule, a scope or an
// isolation entry to every workload; each message names what to write instead.
import { describe, expect, it } from "vitest";
import { loadPolicy } from "./index.js";

function problems(text: string) {
  return loadPolicy([{ file: "p.yaml", text }]).diagnostics.map((d) => ({
    code: d.code,
    path: d.path,
    line: d.line,
    message: d.message,
  }));
}

describe("empty native selectors", () => {
  it("`from: {}` and `to: { labels: {} }` are refused, pointing to `any`", () => {
    const found = problems("rules:\n  - from: {}\n    to: { labels: {} }\n");
    expect(found.map((d) => [d.code, d.path, d.line])).toEqual([
      ["MSEG_POLICY_INVALID_SELECTOR", "rules[0].from", 2],
      ["MSEG_POLICY_INVALID_SELECTOR", "rules[0].to.labels", 3],
    ]);
    for (const d of found) {
      expect(d.message).toMatch(/would select every workload; write `any`/);
    }
  });

  it("an empty selector in a list of peers is refused too", () => {
    const found = problems("rules:\n  - from: [{ role: web }, {}]\n    to: any\n");
    expect(found.map((d) => [d.code, d.path])).toEqual([
      ["MSEG_POLICY_INVALID_SELECTOR", "rules[0].from[1]"],
    ]);
  });

  it("namespace peers: `namespace: {}` and `pods: {}` are refused with their own fix", () => {
    const found = problems("rules:\n  - from: { namespace: {}, pods: {} }\n    to: any\n");
    expect(found.map((d) => [d.code, d.path])).toEqual([
      ["MSEG_POLICY_INVALID_SELECTOR", "rules[0].from.namespace"],
      ["MSEG_POLICY_INVALID_SELECTOR", "rules[0].from.pods"],
    ]);
    expect(found[0]?.message).toMatch(/kubernetes\.io\/metadata\.name: \{ exists: true \}/);
    expect(found[1]?.message).toMatch(/leave `pods` out/);
  });

  it("a scope's `match: {}` and isolation's `select: {}` are refused", () => {
    const text =
      "scopes:\n  - name: s\n    match: {}\n    rules: [{ from: any, to: any }]\n" +
      "isolation:\n  - { select: {}, namespace: {}, directions: [inbound] }\n";
    const found = problems(text);
    expect(found.map((d) => [d.code, d.path, d.line])).toEqual([
      ["MSEG_POLICY_INVALID_SELECTOR", "scopes[0].match", 3],
      ["MSEG_POLICY_INVALID_SELECTOR", "isolation[0].select", 6],
      ["MSEG_POLICY_INVALID_SELECTOR", "isolation[0].namespace", 6],
    ]);
    expect(found[0]?.message).toMatch(/names at least one label/);
    expect(found[1]?.message).toMatch(/leave `select` out/);
  });

  it("Kubernetes `podSelector: {}` keeps its meaning: every pod of the namespace", () => {
    const text =
      "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: np, namespace: shop }\n" +
      "spec:\n  podSelector: {}\n  ingress: [{ from: [{ podSelector: {} }] }]\n";
    const loaded = loadPolicy([{ file: "np.yaml", text }]);
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.policy.isolation[0]?.selector).toEqual({ match: [] });
    expect(loaded.policy.rules[0]?.from).toMatchObject([
      { kind: "workloads", selector: { match: [] } },
    ]);
  });
});
