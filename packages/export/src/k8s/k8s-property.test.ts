// Properties of the k8s export over random policies and inventories (fast-check):
// - every object selects at least one pod of the inventory it was exported for, or the
//   fidelity report names it with why;
// - every object passes the published NetworkPolicy schema and the API server's own checks.
// And the same checks on the golden cases and the k8s-rich lab scenario.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  type Isolation,
  type LabelMatch,
  loadPolicy,
  type Peer,
  type Policy,
  type Rule,
  type Selector,
  type ServicePort,
  type Workload,
} from "@microseg/core";
import { loadScenario, workloadsOf } from "@microseg/lab";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ExportInput, ExportResult } from "../types.js";
import { exportK8s } from "./k8s-export.js";
import { selectsLabels } from "./k8s-match.js";
import type { NetworkPolicy } from "./k8s-types.js";
import { networkPolicyProblems } from "./k8s-validate.test-helpers.js";

const NAMESPACES = ["shop", "ops", "dev"];
const KEYS = ["app", "tier"];
const VALUES: Record<string, string[]> = { app: ["web", "api", "db"], tier: ["1", "2"] };

const requirement: fc.Arbitrary<LabelMatch> = fc.constantFrom(...KEYS).chain((key) =>
  fc.oneof(
    fc.record({
      key: fc.constant(key),
      op: fc.constantFrom("in" as const, "notin" as const),
      values: fc.subarray(VALUES[key] as string[], { minLength: 1 }),
    }),
    fc.record({
      key: fc.constant(key),
      op: fc.constantFrom("exists" as const, "notexists" as const),
    }),
  ),
);
const selector: fc.Arbitrary<Selector> = fc
  .array(requirement, { maxLength: 2 })
  .map((match) => ({ match }));
const nsSelector: fc.Arbitrary<Selector> = fc
  .subarray(NAMESPACES, { minLength: 1 })
  .map((names) => ({ match: [{ key: "team", op: "in", values: names }] }));

const peer: fc.Arbitrary<Peer> = fc.oneof(
  { weight: 5, arbitrary: selector.map((s): Peer => ({ kind: "workloads", selector: s })) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(selector, nsSelector)
      .map(([s, ns]): Peer => ({ kind: "workloads", selector: s, namespaceSelector: ns })),
  },
  { weight: 1, arbitrary: fc.constant<Peer>({ kind: "any" }) },
  {
    weight: 1,
    arbitrary: fc.constant<Peer>({ kind: "cidrs", include: ["198.18.0.0/24"], except: [] }),
  },
);
const services: fc.Arbitrary<ServicePort[]> = fc.constantFrom(
  [],
  [{ proto: "tcp", from: 80, to: 80 }],
  [
    { proto: "tcp", from: 8000, to: 8080 },
    { proto: "udp", from: 53, to: 53 },
  ],
);

const rules: fc.Arbitrary<Rule[]> = fc
  .array(
    fc.record({
      action: fc.constantFrom("allow", "allow", "allow", "deny", "override-deny") as fc.Arbitrary<
        Rule["action"]
      >,
      from: fc.array(peer, { minLength: 1, maxLength: 2 }),
      to: fc.array(peer, { minLength: 1, maxLength: 2 }),
      services,
      scope: fc.option(selector, { nil: undefined }),
    }),
    { minLength: 1, maxLength: 4 },
  )
  .map((rs) =>
    rs.map(({ scope, ...r }, i) => ({
      ...r,
      id: `r${i}`,
      ...(scope ? { scope } : {}),
      source: { file: "p.yaml", path: `rules[${i}]` },
    })),
  );

const isolation: fc.Arbitrary<Isolation[]> = fc
  .array(
    fc.record({
      selector,
      namespaceSelector: fc.option(nsSelector, { nil: undefined }),
      directions: fc.subarray(["inbound", "outbound"] as const, { minLength: 1 }),
    }),
    { maxLength: 2 },
  )
  .map((is) =>
    is.map(({ namespaceSelector, ...i }, k) => ({
      ...i,
      id: `iso${k}`,
      ...(namespaceSelector ? { namespaceSelector } : {}),
      source: { path: `isolation[${k}]` },
    })),
  );

const inventory: fc.Arbitrary<Workload[]> = fc
  .array(
    fc.record({
      namespace: fc.option(fc.constantFrom(...NAMESPACES), { nil: undefined, freq: 6 }),
      app: fc.constantFrom(...(VALUES.app as string[])),
      tier: fc.option(fc.constantFrom(...(VALUES.tier as string[])), { nil: undefined }),
    }),
    { minLength: 1, maxLength: 6 },
  )
  .map((ws) =>
    ws.map(
      (w, i): Workload => ({
        name: `w${i}`,
        labels: { app: w.app, ...(w.tier ? { tier: w.tier } : {}) },
        addresses: [`198.18.0.${i + 1}`],
        mode: "enforce",
        managed: true,
        ...(w.namespace ? { namespace: w.namespace, namespaceLabels: { team: w.namespace } } : {}),
      }),
    ),
  );

const input: fc.Arbitrary<ExportInput> = fc
  .record({ rules, isolation, workloads: inventory })
  .map(({ rules: rs, isolation: iso, workloads }) => ({
    policy: { rules: rs, ipLists: {}, isolation: iso } satisfies Policy,
    workloads,
  }));

/** Objects that select no pod of their namespace and no fidelity entry names. */
function unreported(source: ExportInput, result: ExportResult): string[] {
  const items = (JSON.parse(result.output) as { items: NetworkPolicy[] }).items;
  return items
    .filter(
      (np) =>
        !source.workloads.some(
          (w) =>
            w.namespace === np.metadata.namespace && selectsLabels(np.spec.podSelector, w.labels),
        ),
    )
    .flatMap((np) => {
      const ref = `${np.metadata.namespace}/${np.metadata.name}`;
      // "applies to pods that match later" holds only if some labels can match at all
      if (!SOME_LABELS.some((l) => selectsLabels(np.spec.podSelector, l)))
        return [`${ref} (no labels satisfy it)`];
      return result.fidelity.some((f) => f.what.includes(ref) && f.why.length > 0) ? [] : [ref];
    });
}

/** Every labelling over the keys and values the arbitraries use (plus one they never use). */
const SOME_LABELS: Record<string, string>[] = [undefined, ...(VALUES.app as string[]), "x"].flatMap(
  (app) =>
    [undefined, ...(VALUES.tier as string[]), "x"].map((tier) => ({
      ...(app ? { app } : {}),
      ...(tier ? { tier } : {}),
    })),
);

function problems(result: ExportResult): string[] {
  const items = (JSON.parse(result.output) as { items: NetworkPolicy[] }).items;
  return items.flatMap((np) => networkPolicyProblems(np).map((p) => `${np.metadata.name}: ${p}`));
}

describe("property: k8s export over random policies and inventories", () => {
  it("every object selects a pod of the inventory, or the report says which and why", () => {
    fc.assert(
      fc.property(input, (source) => {
        expect(unreported(source, exportK8s(source))).toEqual([]);
      }),
      { numRuns: 300, seed: 20261207 },
    );
  });

  it("every object passes the NetworkPolicy schema and the API server's checks", () => {
    fc.assert(
      fc.property(input, fc.constantFrom("default", "shop-prod", "a.b_c"), (source, set) => {
        expect(problems(exportK8s(source, { exportSet: set }))).toEqual([]);
      }),
      { numRuns: 200, seed: 20261208 },
    );
  });
});

const TESTDATA = join(import.meta.dirname, "../../testdata");

function fixtures(): [string, ExportInput][] {
  const out: [string, ExportInput][] = [];
  for (const name of ["pods", "shop"]) {
    const text = readFileSync(join(TESTDATA, "cases", `${name}.yaml`), "utf8");
    const loaded = loadPolicy([{ file: `${name}.yaml`, text }]);
    out.push([name, { policy: loaded.policy, workloads: loaded.workloads }]);
  }
  const scenario = loadScenario(join(TESTDATA, "scenarios", "k8s-rich.yaml"));
  const workloads = workloadsOf(scenario);
  const sources = scenario.policy.map((f) => ({ file: f, text: readFileSync(f, "utf8") }));
  out.push([
    "k8s-rich",
    { policy: loadPolicy(sources, { inventory: workloads }).policy, workloads },
  ]);
  return out;
}

describe("k8s export of the fixtures", () => {
  for (const [name, source] of fixtures()) {
    it(`${name}: valid objects, each selecting a pod or reported`, () => {
      const result = exportK8s(source);
      expect(problems(result)).toEqual([]);
      expect(unreported(source, result)).toEqual([]);
    });
  }

  it("the validator refuses what the API server refuses (it can fail)", () => {
    const bad = {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "Bad_Name", namespace: "shop", labels: { "microseg.io/export-set": "-x" } },
      spec: {
        podSelector: { matchExpressions: [{ key: "app", operator: "In", values: [] }] },
        policyTypes: ["Ingress"],
        ingress: [{ ports: [{ protocol: "TCP", port: 90, endPort: 80 }], from: [{ ipBlock: {} }] }],
      },
    } as unknown as NetworkPolicy;
    const found = networkPolicyProblems(bad).join("\n");
    for (const want of ["schema:", "metadata.name", "label value", "app In", "endPort"]) {
      expect(found).toContain(want);
    }
  });
});
