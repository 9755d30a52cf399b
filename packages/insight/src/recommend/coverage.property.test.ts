// Property: for random estates and traffic (seeded), the recommended policy allows every learned
// edge, except edges listed as impossible to express (an unlabelled workload, a non-service
// port, no workload end) — never because the generated rules are wrong.
import { loadPolicy, seededRandom as prng, type Workload } from "@microseg/core";
import { describe, expect, it } from "vitest";
import type { FlowEdge, FlowVerdict } from "../flow.js";
import { edge } from "../testing/estate.js";
import { recommend } from "./recommend.js";

const pick = <T>(rnd: () => number, list: readonly T[]): T =>
  list[Math.floor(rnd() * list.length)] as T;

const VOCAB: Record<string, string[]> = {
  app: ["shop", "crm", "ops"],
  role: ["web", "api", "db", "cache"],
  env: ["prod", "dev"],
  tenant: ["acme", "globex"],
  tier: ["1", "2"],
};
const PORTS = ["tcp/80", "tcp/443", "tcp/5432", "udp/53", "icmp", "tcp/8000", "sctp/9"];

function randomEstate(rnd: () => number, n: number): Workload[] {
  return Array.from({ length: n }, (_, i) => {
    const labels: Record<string, string> = {};
    for (const [k, values] of Object.entries(VOCAB)) if (rnd() < 0.7) labels[k] = pick(rnd, values);
    const ns = rnd() < 0.15 ? { namespace: "k", namespaceLabels: {} } : {};
    return {
      name: `w${i}`,
      labels,
      addresses: rnd() < 0.2 ? [`2001:db8::${i + 1}`] : [`198.18.${i >> 8}.${(i & 255) + 1}`],
      mode: pick(rnd, ["learn", "test", "enforce"] as const),
      managed: rnd() < 0.9,
      ...ns,
    };
  });
}

function randomEdges(rnd: () => number, ws: readonly Workload[], m: number): FlowEdge[] {
  const end = () => (rnd() < 0.15 ? `203.0.113.${Math.floor(rnd() * 20) + 1}` : pick(rnd, ws).name);
  const out: FlowEdge[] = [];
  for (let i = 0; i < m; i++) {
    const [a, b] = [end(), end()];
    if (a === b) continue;
    const verdict: FlowVerdict = pick(rnd, ["allowed", "allowed", "would-block", "blocked"]);
    out.push(edge(a, b, pick(rnd, PORTS), 1 + Math.floor(rnd() * 50), verdict));
  }
  return out;
}

const EXPRESSIBLE_FAILURES = /has no labels|neither end is a workload/;

describe("recommend covers 100% of what it can express", () => {
  it("for random estates and traffic", () => {
    let learned = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const rnd = prng(seed);
      const ws = randomEstate(rnd, 5 + Math.floor(rnd() * 30));
      const edges = randomEdges(rnd, ws, 10 + Math.floor(rnd() * 60));
      const rec = recommend({ edges, workloads: ws });
      expect(rec.diagnostics, `seed ${seed}`).toEqual([]);
      expect(loadPolicy([{ file: "r.yaml", text: rec.yaml }]).diagnostics).toEqual([]);
      for (const u of rec.coverage.uncovered) {
        expect(u.reason, `seed ${seed}: ${JSON.stringify(u.edge)}`).toMatch(EXPRESSIBLE_FAILURES);
      }
      const learnable = edges.filter((e) => e.verdict !== "blocked");
      expect(rec.coverage.edges).toBe(learnable.length);
      learned += rec.coverage.coveredEdges;
    }
    expect(learned).toBeGreaterThan(500);
  });
});
