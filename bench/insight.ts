// Benchmark: the learning analyses on a large estate — 2,000 workloads (applications of PER_APP:
// half web, then api, db, cache; prod and staging), 50,000 flow edges: the tiers' own traffic,
// monitoring scraping everyone, outside clients, and NOISE edges between random workloads on
// random ports (each one a rule of its own in the proposal: the worst case for recommend and
// replay). Baseline in the same run: JSON.stringify + JSON.parse of the edges.
//   node --import tsx bench/insight.ts [workloads] [edges] [per-app] [noise share]
//   defaults 2000 50000 100 0.02; the noisy worst case: 2000 50000 20 0.6
//
//   discover      Louvain communities, tiers, label suggestions
//   recommend     proposal, YAML, loader round trip, coverage (explain per edge)
//   replay        every edge under the active policy and a draft without one rule
//   reach graph   the policy's reach graph (resolution + compiled RuleSets)
//   blast         one workload, 3 hops, on the graph
//   exposure      estate-wide reach within 3 hops (BFS from every workload)
import { performance } from "node:perf_hooks";
import type { Workload } from "@microseg/core";
import { seededRandom } from "@microseg/core";
import {
  blastRadius,
  buildReachGraph,
  discoverApplications,
  estateExposure,
  type FlowEdge,
  recommend,
  replay,
} from "@microseg/insight";

const WORKLOADS = Number(process.argv[2] ?? 2_000);
const EDGES = Number(process.argv[3] ?? 50_000);
const PER_APP = Number(process.argv[4] ?? 100);
const NOISE = Number(process.argv[5] ?? 0.02);
const ROLE_AT = (i: number) => {
  const x = i / PER_APP;
  return x < 0.5 ? "web" : x < 0.8 ? "api" : x < 0.9 ? "db" : "cache";
};
const PORT: Record<string, string> = { api: "tcp/8080", db: "tcp/5432", cache: "tcp/6379" };

const rnd = seededRandom(7);

function estate(): Workload[] {
  const out: Workload[] = [];
  for (let i = 0; i < WORKLOADS; i++) {
    const app = Math.floor(i / PER_APP);
    const labels: Record<string, string> = {
      app: `app${app}`,
      role: i < 5 ? "monitoring" : ROLE_AT(i % PER_APP),
      env: app % 2 === 0 ? "prod" : "staging",
    };
    if (i % 97 === 0) delete labels.role; // some unlabelled roles to suggest
    const address = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    out.push({ name: `w${i}`, labels, addresses: [address], mode: "enforce", managed: true });
  }
  return out;
}

function traffic(ws: readonly Workload[]): FlowEdge[] {
  const out = new Map<string, FlowEdge>();
  const add = (from: string, to: string, port: string, count: number) => {
    const ip = /^\d/.test(from) ? "address" : "workload";
    const key = `${from}>${to}>${port}`;
    if (from === to || out.has(key)) return;
    out.set(key, {
      from: { name: from, kind: ip },
      to: { name: to, kind: "workload" },
      port,
      verdict: "allowed",
      count,
      packets: count * 4,
      bytes: count * 500,
      firstSeen: 1_000,
      lastSeen: 2_000,
    });
  };
  const byApp = (a: number) => ws.slice(a * PER_APP, (a + 1) * PER_APP);
  const apps = Math.ceil(ws.length / PER_APP);
  // tiers: every web -> every api, every api -> db and cache
  for (let a = 0; a < apps && out.size < EDGES; a++) {
    const m = byApp(a);
    const role = (r: string) =>
      m.filter((w) => w.labels.role === r || (r === "web" && !w.labels.role));
    for (const w of role("web"))
      for (const api of role("api")) add(w.name, api.name, PORT.api as string, 500);
    for (const api of role("api")) {
      for (const db of role("db")) add(api.name, db.name, PORT.db as string, 900);
      for (const c of role("cache")) add(api.name, c.name, PORT.cache as string, 700);
    }
  }
  // monitoring scrapes everyone, outside clients reach the web tiers
  const quiet = EDGES * (1 - NOISE);
  for (const m of ws.slice(0, 5)) {
    for (const w of ws) if (out.size < quiet) add(m.name, w.name, "tcp/9100", 30);
  }
  const webs = ws.filter((w) => w.labels.role === "web");
  while (out.size < quiet) {
    const to = webs[Math.floor(rnd() * webs.length)] as Workload;
    add(`203.0.113.${1 + Math.floor(rnd() * 250)}`, to.name, "tcp/443", 5);
  }
  // noise: random workloads on random ports, until EDGES
  while (out.size < EDGES) {
    const to = ws[Math.floor(rnd() * ws.length)] as Workload;
    const from = (ws[Math.floor(rnd() * ws.length)] as Workload).name;
    add(from, to.name, `tcp/${20_000 + Math.floor(rnd() * 1000)}`, 1);
  }
  return [...out.values()];
}

function time<T>(label: string, f: () => T, baseline?: number): { value: T; ms: number } {
  const t0 = performance.now();
  const value = f();
  const ms = performance.now() - t0;
  const ratio = baseline === undefined ? "" : `  (${(ms / baseline).toFixed(1)}x baseline)`;
  process.stdout.write(`${label.padEnd(14)} ${ms.toFixed(0).padStart(7)} ms${ratio}\n`);
  return { value, ms };
}

const ws = estate();
const edges = traffic(ws);
process.stdout.write(`estate: ${ws.length} workloads, ${edges.length} edges\n`);
const base = time("baseline", () => JSON.parse(JSON.stringify(edges)) as unknown).ms;
const found = time("discover", () => discoverApplications({ edges, workloads: ws }), base).value;
process.stdout.write(`  ${found.groups.length} groups, ${found.suggestions.length} suggestions\n`);
const rec = time("recommend", () => recommend({ edges, workloads: ws }), base).value;
process.stdout.write(
  `  ${rec.rules.length} rules, coverage ${rec.coverage.percent}%, diagnostics ${rec.diagnostics.length}\n`,
);
const draft = { ...rec.policy, rules: rec.policy.rules.slice(1) };
const rep = time("replay", () => replay({ active: rec.policy, draft, workloads: ws, edges }), base);
process.stdout.write(`  newly blocked ${rep.value.newlyBlocked.edges} edges\n`);
const graph = time("reach graph", () => buildReachGraph(rec.policy, ws), base).value;
process.stdout.write(`  ${graph.pairs} reachable pairs (direct)\n`);
time("blast", () => blastRadius(graph, "w25", { hops: 3 }), base);
const exp = time("exposure", () => estateExposure(graph, 3), base).value;
process.stdout.write(`  mean ${exp.mean}, max ${exp.max} workloads within 3 hops\n`);
