import { describe, expect, it } from "vitest";
import { policyOf, workload } from "../testing/estate.js";
import { blastRadius, estateExposure } from "./blast-radius.js";
import { buildReachGraph, reach } from "./reach-graph.js";

const a = workload("a", { role: "a" }, "198.18.0.1");
const b = workload("b", { role: "b" }, "198.18.0.2");
const c = workload("c", { role: "c" }, "198.18.0.3");
const d = workload("d", { role: "d" }, "198.18.0.4");
const chain = policyOf(`
rules:
  - { name: a-b, from: { role: a }, to: { role: b }, services: [tcp/22] }
  - { name: b-c, from: { role: b }, to: { role: c }, services: [tcp/5432, tcp/6432] }
`);

describe("blast radius on a chain a -> b -> c", () => {
  const graph = buildReachGraph(chain, [a, b, c, d]);

  it("the reach graph has exactly the policy's two edges, with their services", () => {
    expect(graph.pairs).toBe(2);
    expect(reach(graph, "a").get("b")).toEqual(["tcp/22"]);
    expect(reach(graph, "b").get("c")).toEqual(["tcp/5432", "tcp/6432"]);
    expect(reach(graph, "c").size).toBe(0);
  });

  it("k=1 reaches b only; k=2 reaches c through b, with the path and services per hop", () => {
    expect(blastRadius(graph, "a", { hops: 1 }).reachable.map((t) => t.workload)).toEqual(["b"]);
    const two = blastRadius(graph, "a", { hops: 2 });
    expect(two.reachable.map((t) => [t.workload, t.hops])).toEqual([
      ["b", 1],
      ["c", 2],
    ]);
    expect(two.perHop).toEqual([1, 1]);
    expect(two.reachable[1]?.path).toEqual(["a", "b", "c"]);
    expect(two.reachable[1]?.via).toEqual([
      { from: "a", to: "b", services: ["tcp/22"] },
      { from: "b", to: "c", services: ["tcp/5432", "tcp/6432"] },
    ]);
  });

  it("the other direction reaches nothing; an unknown workload is a coded error", () => {
    expect(blastRadius(graph, "c").reachable).toEqual([]);
    expect(() => blastRadius(graph, "nope")).toThrow(/no workload is named "nope"/);
  });

  it("estate figure: pairs within k hops, mean and max per workload", () => {
    expect(estateExposure(graph, 1)).toMatchObject({ reachablePairs: 2, directPairs: 2, max: 1 });
    const e = estateExposure(graph, 3);
    expect(e).toMatchObject({ workloads: 4, reachablePairs: 3, max: 2, worst: ["a"] });
    expect(e.mean).toBe(0.75);
  });
});

describe("the reach graph follows the policy's semantics", () => {
  it("an override-deny on part of a range leaves the rest reachable", () => {
    const p = policyOf(`
rules:
  - { name: wide, from: { role: a }, to: { role: b }, services: [tcp/1-100] }
  - { name: no-ssh, action: override-deny, from: any, to: any, services: [tcp/22] }
`);
    expect(reach(buildReachGraph(p, [a, b]), "a").get("b")).toEqual(["tcp/1-21", "tcp/23-100"]);
  });

  it("both ends must allow: a rule that binds only the provider leaves the source's default", () => {
    const pod = (w: typeof a) => ({ ...w, namespace: "x", namespaceLabels: {} });
    // a namespaced source with no isolation is open outbound: the provider's rule decides.
    const g = buildReachGraph(
      policyOf(`rules: [{ name: a-b, from: { role: a }, to: { role: b }, services: [tcp/80] }]`),
      [pod(a), b],
    );
    expect(reach(g, "a").get("b")).toEqual(["tcp/80"]);
    // two open namespaced workloads reach each other on anything.
    const open = buildReachGraph(policyOf("rules: []"), [pod(a), pod(c)]);
    expect(reach(open, "a").get("c")).toEqual(["any"]);
    expect(open.pairs).toBe(2);
  });

  it("modes are ignored by default; respectModes lets a learning workload be reached", () => {
    const learning = { ...c, mode: "learn" as const };
    const p = policyOf("rules: []");
    expect(buildReachGraph(p, [a, learning]).pairs).toBe(0);
    const live = buildReachGraph(p, [{ ...a, mode: "learn" as const }, learning], {
      respectModes: true,
    });
    expect(reach(live, "a").get("c")).toEqual(["any"]);
  });

  it("an ipList that holds a workload's address makes it a consumer", () => {
    const p = policyOf(`
ipLists: [{ name: ops, cidrs: [198.18.0.4/32] }]
rules: [{ name: ops-ssh, from: { ipList: ops }, to: { role: b }, services: [tcp/22] }]
`);
    // d's own outbound chain has no rule: native default-deny at the source blocks it.
    expect(buildReachGraph(p, [b, d]).pairs).toBe(0);
    // an unmanaged d is not enforced at its end: only b's inbound chain decides.
    const g = buildReachGraph(p, [b, { ...d, managed: false }]);
    expect(reach(g, "d").get("b")).toEqual(["tcp/22"]);
  });
});
