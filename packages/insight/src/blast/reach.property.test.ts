// Property: the class-based reach graph agrees with explain() pair by pair, for random estates
// and policies (seeded): a port explain allows from A to B shows up among the graph's services
// for A -> B, and every service the graph lists is allowed by explain at its first port.
import {
  ExplainContext,
  explainEndpoints,
  loadPolicy,
  type Policy,
  seededRandom as prng,
  type Workload,
} from "@microseg/core";
import { describe, expect, it } from "vitest";
import { buildReachGraph, reach } from "./reach-graph.js";

const pick = <T>(rnd: () => number, l: readonly T[]): T => l[Math.floor(rnd() * l.length)] as T;

const ROLES = ["web", "api", "db"];
const ENVS = ["prod", "dev"];
const PORTS = ["tcp/22", "tcp/80", "tcp/443", "tcp/5432", "udp/53", "tcp/8000"];
const SERVICES = [
  "tcp/22",
  "tcp/80",
  "tcp/443",
  "tcp/5432",
  "udp/53",
  "tcp/1-1024",
  "tcp/8000-8100",
];

function estate(rnd: () => number, n: number): Workload[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `w${i}`,
    labels: { role: pick(rnd, ROLES), env: pick(rnd, ENVS) },
    addresses: [`198.18.0.${i + 1}`],
    mode: "enforce" as const,
    managed: rnd() < 0.85,
    ...(rnd() < 0.15 && { namespace: "k", namespaceLabels: {} }),
  }));
}

function policy(rnd: () => number, rules: number): Policy {
  const peer = () =>
    rnd() < 0.15
      ? "any"
      : rnd() < 0.15
        ? "{ cidrs: [198.18.0.0/29] }"
        : `{ role: ${pick(rnd, ROLES)}${rnd() < 0.5 ? `, env: ${pick(rnd, ENVS)}` : ""} }`;
  const lines = ["rules:"];
  for (let i = 0; i < rules; i++) {
    const action = rnd() < 0.7 ? "allow" : rnd() < 0.5 ? "deny" : "override-deny";
    const services = rnd() < 0.1 ? "" : `, services: [${pick(rnd, SERVICES)}]`;
    lines.push(`  - { name: r${i}, action: ${action}, from: ${peer()}, to: ${peer()}${services} }`);
  }
  const loaded = loadPolicy([{ file: "p.yaml", text: lines.join("\n") }]);
  expect(loaded.diagnostics).toEqual([]);
  return loaded.policy;
}

/** Does one of the graph's service texts cover the port text? */
function covers(services: readonly string[], port: string): boolean {
  const [proto, n] = port.split("/");
  return services.some((s) => {
    if (s === "any") return true;
    const [sp, range = ""] = s.split("/");
    const [a, b = a] = range.split("-").map(Number);
    return sp === proto && Number(n) >= (a as number) && Number(n) <= (b as number);
  });
}

describe("the reach graph agrees with explain", () => {
  it("for random estates and policies", () => {
    let allowedPairs = 0;
    for (let seed = 1; seed <= 25; seed++) {
      const rnd = prng(seed);
      const ws = estate(rnd, 14);
      const p = policy(rnd, 10);
      const graph = buildReachGraph(p, ws);
      const ctx = new ExplainContext(p, ws);
      for (const a of ws) {
        const out = reach(graph, a.name);
        for (const b of ws) {
          if (a === b) continue;
          const src = ctx.endpoint({ workload: a.name });
          const dst = ctx.endpoint({ workload: b.name });
          const services = out.get(b.name) ?? [];
          for (const port of PORTS) {
            const allowed = explainEndpoints(ctx, src, dst, port).policy === "allow";
            const where = `seed ${seed} ${a.name}->${b.name} ${port}: graph ${services}`;
            if (allowed) expect(covers(services, port), where).toBe(true);
          }
          for (const s of services) {
            const first = s === "any" ? "any" : s.replace(/-\d+$/, "");
            expect(explainEndpoints(ctx, src, dst, first).policy, `seed ${seed} ${s}`).toBe(
              "allow",
            );
          }
          if (services.length > 0) allowedPairs++;
        }
      }
      expect(graph.pairs).toBe(graph.workloads.reduce((n, w) => n + reach(graph, w).size, 0));
    }
    expect(allowedPairs).toBeGreaterThan(200);
  });
});
