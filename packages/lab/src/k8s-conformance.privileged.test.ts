// Kubernetes NetworkPolicy conformance in the real kernel. The lab (namespaces x, y, z with pods
// a, b, c serving tcp/80, tcp/81, udp/80, udp/81, plus an outside host) comes up ONCE; each case
// swaps in its NetworkPolicy files with labApplyPolicy, probes every (from, to, port) with real
// connections and compares every cell with the case's truth table (testdata/k8s/cases.yaml,
// written from the spec). A mismatch prints the matrix with the differing cells marked.
import { join } from "node:path";
import { describePrivileged } from "@microseg/nft/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { labApplyPolicy, labDown, labNamespaces, labProbe, labUp } from "./index.js";
import {
  type ConformanceCase,
  compareCells,
  formatMatrix,
  K8S_DIR,
  K8S_SCENARIO,
  loadCases,
  policyFiles,
} from "./testing/k8s-truth-table.js";
import { probeExpecting, tempStateDir } from "./testing/lab-fixtures.js";

const dir = tempStateDir();
const cases = loadCases();
const timings: { name: string; ms: number }[] = [];
let started = 0;

describePrivileged("Kubernetes NetworkPolicy conformance (real kernel)", () => {
  beforeAll(async () => {
    started = Date.now();
    await labDown({ dir });
    await labUp(K8S_SCENARIO, { dir });
  });
  afterAll(async () => {
    await labDown({ dir });
    const total = Date.now() - started;
    const slowest = [...timings].sort((a, b) => b.ms - a.ms)[0];
    console.info(
      `k8s conformance: ${timings.length} cases, ${timings.length * 360} cells, ${(total / 1000).toFixed(1)} s ` +
        `including lab up/down (slowest case ${slowest?.ms ?? 0} ms)`,
    );
    expect(await labNamespaces()).toEqual([]);
  });

  it("has at least 30 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it("lab up enforces the NetworkPolicy files a scenario names", async () => {
    const denyIngressX = cases.find((c) => c.policy.join() === "deny-ingress-x") as ConformanceCase;
    expect(compareCells(denyIngressX, (await labProbe({ dir })).results)).toEqual([]);
  });

  it.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const t0 = Date.now();
    await labApplyPolicy(policyFiles(c), { dir });
    const results = await probeExpecting({ dir }, (r) => compareCells(c, r).length === 0);
    timings.push({ name: c.name, ms: Date.now() - t0 });
    expect(results).toHaveLength(360);
    const diff = compareCells(c, results);
    expect(diff, `\n${formatMatrix(c, results)}\n`).toEqual([]);
  });

  it("an invalid policy is rejected before anything changes", async () => {
    const last = cases[cases.length - 1] as ConformanceCase;
    await expect(labApplyPolicy([join(K8S_DIR, "broken.yaml")], { dir })).rejects.toMatchObject({
      code: "MSEG_POLICY_REVERSED_RANGE",
      message: expect.stringContaining("spec.ingress[0].ports[0].endPort"),
    });
    expect(compareCells(last, (await labProbe({ dir })).results)).toEqual([]);
  });
});
