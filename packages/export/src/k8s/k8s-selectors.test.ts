// Exported selectors mean what the policy means: no object whose pod selector no pod can
// satisfy (`app In [web] ∧ app In [db]`), and an object that selects no pod of the inventory
// exported is named in the fidelity report with why.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadPolicy } from "@microseg/core";
import { loadScenario, workloadsOf } from "@microseg/lab";
import { describe, expect, it } from "vitest";
import type { ExportInput } from "../types.js";
import { exportK8s } from "./k8s-export.js";
import { selectsLabels } from "./k8s-match.js";
import type { NetworkPolicy } from "./k8s-types.js";

const SCENARIOS = join(import.meta.dirname, "../../testdata/scenarios");

function scenarioInput(file: string): ExportInput {
  const scenario = loadScenario(join(SCENARIOS, file));
  const workloads = workloadsOf(scenario);
  const sources = scenario.policy.map((f) => ({ file: f, text: readFileSync(f, "utf8") }));
  const loaded = loadPolicy(sources, { inventory: workloads });
  expect(loaded.diagnostics).toEqual([]);
  return { policy: loaded.policy, workloads };
}

describe("k8s export selectors", () => {
  it("k8s-rich: every object selects a pod of its namespace, or the report names it", () => {
    const input = scenarioInput("k8s-rich.yaml");
    const { output, fidelity } = exportK8s(input);
    const items = (JSON.parse(output) as { items: NetworkPolicy[] }).items;
    const dead = items.filter(
      (np) =>
        !input.workloads.some(
          (w) =>
            w.namespace === np.metadata.namespace && selectsLabels(np.spec.podSelector, w.labels),
        ),
    );
    for (const np of dead) {
      const ref = `${np.metadata.namespace}/${np.metadata.name}`;
      expect(
        fidelity.some((f) => f.what.includes(ref)),
        `${ref} unreported`,
      ).toBe(true);
    }
    // the allows' egress at web, api and mon: no isolation closes their egress, so the
    // conjunction with db-outbound's `app=db` selects nothing and must not be written
    const egress = items.filter((np) => np.spec.policyTypes.includes("Egress") && np.spec.egress);
    expect(egress.map((np) => np.metadata.annotations?.["microseg.io/rule"]).sort()).toEqual([
      "db-to-mon",
      "db-to-mon",
    ]);
  });

  it("never writes two In requirements on one key (one In with their common values)", () => {
    const { output } = exportK8s(scenarioInput("k8s-rich.yaml"));
    for (const np of (JSON.parse(output) as { items: NetworkPolicy[] }).items) {
      const sel = np.spec.podSelector;
      const keys = [
        ...Object.keys(sel.matchLabels ?? {}),
        ...(sel.matchExpressions ?? []).filter((e) => e.operator === "In").map((e) => e.key),
      ];
      expect(new Set(keys).size, np.metadata.name).toBe(keys.length);
    }
  });

  it("selectsLabels: matchLabels and the four operators, absent keys as the API server does", () => {
    const labels = { app: "web", tier: "1" };
    expect(selectsLabels({}, labels)).toBe(true);
    expect(selectsLabels({ matchLabels: { app: "web" } }, labels)).toBe(true);
    expect(selectsLabels({ matchLabels: { app: "db" } }, labels)).toBe(false);
    const ex = (operator: "In" | "NotIn" | "Exists" | "DoesNotExist", values?: string[]) => ({
      matchExpressions: [{ key: "env", operator, ...(values ? { values } : {}) }],
    });
    expect(selectsLabels(ex("NotIn", ["prod"]), labels)).toBe(true);
    expect(selectsLabels(ex("DoesNotExist"), labels)).toBe(true);
    expect(selectsLabels(ex("In", ["prod"]), labels)).toBe(false);
    expect(selectsLabels(ex("Exists"), labels)).toBe(false);
  });
});
