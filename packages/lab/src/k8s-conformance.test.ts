// The conformance truth tables checked offline, without root: each case's policy compiled for the
// scenario's hosts and every cell explained (explain evaluates the same RuleSets the lab applies).
// The privileged twin (k8s-conformance.privileged.test.ts) checks the same tables in the kernel.
import { readFileSync } from "node:fs";
import { explain, loadPolicy } from "@microseg/core";
import { describe, expect, it } from "vitest";
import { workloadsOf } from "./enforce.js";
import type { ProbeResult } from "./probe-plan.js";
import { loadScenario } from "./scenario/load.js";
import { formatListenPort } from "./scenario/types.js";
import {
  compareCells,
  formatMatrix,
  K8S_SCENARIO,
  loadCases,
  policyFiles,
} from "./testing/k8s-truth-table.js";

const scenario = loadScenario(K8S_SCENARIO);
const workloads = workloadsOf(scenario);
const cases = loadCases();

function offlineProbe(files: readonly string[]): ProbeResult[] {
  const sources = files.map((file) => ({ file, text: readFileSync(file, "utf8") }));
  const loaded = loadPolicy(sources, { inventory: workloads });
  expect(loaded.diagnostics).toEqual([]);
  const out: ProbeResult[] = [];
  for (const from of scenario.hosts) {
    for (const to of scenario.hosts) {
      if (from === to) continue;
      for (const p of to.listen) {
        const port = formatListenPort(p);
        const q = { from: { workload: from.name }, to: { workload: to.name }, port };
        const d = explain(loaded.policy, workloads, q);
        out.push({
          from: from.name,
          to: to.name,
          port,
          verdict: d.verdict === "blocked" ? "blocked" : "allowed",
        });
      }
    }
  }
  return out;
}

describe("Kubernetes conformance tables, offline", () => {
  it("has at least 30 cases over 10 hosts x 4 ports", () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    expect(scenario.hosts).toHaveLength(10);
  });
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const results = offlineProbe(policyFiles(c));
    expect(results).toHaveLength(360);
    const diff = compareCells(c, results);
    expect(diff, `\n${formatMatrix(c, results)}`).toEqual([]);
  });
});
