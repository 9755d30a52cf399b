// NetworkPolicy problems: each reported with file, path, line, code and a sentence naming the fix,
// every problem of a document at once; Kubernetes' own validation rules where it has them.
import { describe, expect, it } from "vitest";
import { loadPolicy } from "../index.js";

const HEAD =
  "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: np, namespace: x }\n";

function problems(spec: string, head = HEAD) {
  return loadPolicy([{ file: "np.yaml", text: `${head}spec:\n${spec}` }]).diagnostics;
}

describe("NetworkPolicy diagnostics", () => {
  it.each([
    [
      "  podSelector: {}\n  ingres: []\n",
      "MSEG_POLICY_UNKNOWN_FIELD",
      "spec.ingres",
      6,
      /did you mean `ingress`/,
    ],
    ["  ingress: []\n", "MSEG_POLICY_MISSING_FIELD", "spec.podSelector", 4, /podSelector: \{\}/],
    [
      "  podSelector: {}\n  ingress:\n    - from:\n        - ipBlock: { cidr: 10.0.0.1/8 }\n",
      "MSEG_POLICY_INVALID_CIDR",
      "spec.ingress[0].from[0].ipBlock.cidr",
      8,
      /host bits/,
    ],
    [
      "  podSelector: {}\n  ingress:\n    - from:\n        - ipBlock: { cidr: 10.0.0.1 }\n",
      "MSEG_POLICY_INVALID_CIDR",
      "spec.ingress[0].from[0].ipBlock.cidr",
      8,
      /10\.0\.0\.1\/32/,
    ],
    [
      "  podSelector: {}\n  ingress:\n    - from:\n        - ipBlock: { cidr: 10.0.0.0/8, except: [11.0.0.0/16] }\n",
      "MSEG_POLICY_INVALID_CIDR",
      "spec.ingress[0].from[0].ipBlock.except[0]",
      8,
      /strictly inside/,
    ],
    [
      "  podSelector: {}\n  ingress:\n    - from: [{}]\n",
      "MSEG_POLICY_INVALID_VALUE",
      "spec.ingress[0].from[0]",
      7,
      /needs `podSelector`/,
    ],
    [
      "  podSelector: {}\n  egress:\n    - to: [{ ipBlock: { cidr: 10.0.0.0/8 }, podSelector: {} }]\n",
      "MSEG_POLICY_INVALID_VALUE",
      "spec.egress[0].to[0].ipBlock",
      7,
      /two entries/,
    ],
    [
      "  podSelector: {}\n  ingress:\n    - ports: [{ port: 90, endPort: 80 }]\n",
      "MSEG_POLICY_REVERSED_RANGE",
      "spec.ingress[0].ports[0].endPort",
      7,
      /at least port/,
    ],
    [
      "  podSelector: {}\n  ingress:\n    - ports: [{ port: http, endPort: 80 }]\n",
      "MSEG_POLICY_INVALID_PORT",
      "spec.ingress[0].ports[0].endPort",
      7,
      /numbered `port`/,
    ],
    [
      "  podSelector: {}\n  ingress:\n    - ports: [{ port: 0 }]\n",
      "MSEG_POLICY_INVALID_PORT",
      "spec.ingress[0].ports[0].port",
      7,
      /1-65535/,
    ],
    [
      "  podSelector: {}\n  ingress:\n    - ports: [{ port: Http_1 }]\n",
      "MSEG_POLICY_INVALID_PORT",
      "spec.ingress[0].ports[0].port",
      7,
      /port name/,
    ],
    [
      "  podSelector: {}\n  ingress:\n    - ports: [{ protocol: udp }]\n",
      "MSEG_POLICY_INVALID_VALUE",
      "spec.ingress[0].ports[0].protocol",
      7,
      /spells it `UDP`/,
    ],
    [
      "  podSelector: {}\n  policyTypes: [Ingres]\n",
      "MSEG_POLICY_INVALID_VALUE",
      "spec.policyTypes[0]",
      6,
      /`Ingress` or `Egress`/,
    ],
    [
      "  podSelector: { matchExpressions: [{ key: a, operator: In, values: [] }] }\n",
      "MSEG_POLICY_INVALID_SELECTOR",
      "spec.podSelector.matchExpressions[0].values",
      5,
      /at least one value/,
    ],
    [
      "  podSelector: { matchExpressions: [{ key: a, operator: Exists, values: [x] }] }\n",
      "MSEG_POLICY_INVALID_SELECTOR",
      "spec.podSelector.matchExpressions[0].values",
      5,
      /takes no values/,
    ],
    [
      "  podSelector: { matchExpressions: [{ key: a, operator: NotExists }] }\n",
      "MSEG_POLICY_INVALID_SELECTOR",
      "spec.podSelector.matchExpressions[0].operator",
      5,
      /DoesNotExist/,
    ],
    [
      "  podSelector: { matchLabels: { tier: 1 } }\n",
      "MSEG_POLICY_WRONG_TYPE",
      "spec.podSelector.matchLabels.tier",
      5,
      /quote it/,
    ],
    [
      "  podSelector: { matchLabels: { 'bad key!': a } }\n",
      "MSEG_POLICY_INVALID_LABEL",
      'spec.podSelector.matchLabels["bad key!"]',
      5,
      /label key/,
    ],
  ] as const)("%j -> %s at %s", (spec, code, path, line, message) => {
    const d = problems(spec);
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ code, path, line, file: "np.yaml" });
    expect(d[0]?.message).toMatch(message);
  });

  it("apiVersion, metadata and duplicates across files", () => {
    const old = HEAD.replace("networking.k8s.io/v1", "extensions/v1beta1");
    expect(problems("  podSelector: {}\n", old)[0]).toMatchObject({ path: "apiVersion", line: 1 });
    const noName =
      "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { namespace: x }\n";
    expect(problems("  podSelector: {}\n", noName)[0]).toMatchObject({
      code: "MSEG_POLICY_MISSING_FIELD",
      path: "metadata.name",
    });
    const text = `${HEAD}spec: { podSelector: {} }\n`;
    const d = loadPolicy([
      { file: "a.yaml", text },
      { file: "b.yaml", text },
    ]).diagnostics;
    expect(d).toEqual([
      expect.objectContaining({ code: "MSEG_POLICY_DUPLICATE_NAME", file: "b.yaml", line: 3 }),
    ]);
    expect(d[0]?.message).toMatch(/x\/np is already defined at a\.yaml:3/);
  });

  it("lists: paths name the item; other kinds in a List are reported", () => {
    const text = [
      "apiVersion: v1",
      "kind: List",
      "items:",
      "  - { apiVersion: v1, kind: ConfigMap, metadata: { name: c } }",
      "  - apiVersion: networking.k8s.io/v1",
      "    kind: NetworkPolicy",
      "    metadata: { name: np }",
      "    spec: { podSelector: {}, ingress: [{ ports: [{ port: 99999 }] }] }",
      "",
    ].join("\n");
    const d = loadPolicy([{ file: "l.yaml", text }]).diagnostics;
    expect(d.map((x) => [x.code, x.path, x.line])).toEqual([
      ["MSEG_POLICY_UNSUPPORTED_KIND", "items[0].kind", 4],
      ["MSEG_POLICY_INVALID_PORT", "items[1].spec.ingress[0].ports[0].port", 8],
    ]);
  });

  it("reports every problem of a document at once", () => {
    const spec =
      "  podSelector: { matchLabels: { a: b } }\n  policyTypes: [Ingres]\n  ingress:\n    - from: [{}]\n      ports: [{ port: 0 }]\n";
    expect(problems(spec).map((x) => x.path)).toEqual([
      "spec.policyTypes[0]",
      "spec.ingress[0].from[0]",
      "spec.ingress[0].ports[0].port",
    ]);
  });
});
