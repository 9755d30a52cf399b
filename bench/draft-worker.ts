// Benchmark: what the policy workers cost a normal `PUT /api/v1/policy/draft`, and how fast they
// refuse hostile drafts. In process over app.request() and a memory store, the controller as
// built (`npm run build`: the workers start from dist/, as `microseg controller` runs them).
//   node --import tsx bench/draft-worker.ts [--runs=200] [--workloads=200] [--hostile=true]
//
//   normal    a 50-rule policy over 200 stored workloads, PUT `runs` times (after 20 warm-up
//             runs) through the policy worker, and through a controller that runs the same check
//             job on its own thread (the baseline: the work without the hand-off). Medians.
//   hostile   an alias bomb (2,000 rules x 500 scopes = 1,000,000 rules from ~180 KB) and 5,000
//             YAML documents at the default budgets (10 s, 512 MiB): time to refuse, the budget
//             that refused it, and the slowest GET /api/v1/status answered meanwhile.
import { performance } from "node:perf_hooks";
import { buildController } from "@microseg/controller";
import type { Workload } from "@microseg/core";
import { openMemoryStore } from "@microseg/store/memory";
import {
  aliasBomb,
  latenciesWhile,
  manyDocuments,
} from "../packages/controller/src/compile-worker/hostile.test-helpers.js";
import { JOBS } from "../packages/controller/src/compile-worker/jobs.js";
import { ensureAdminToken } from "../packages/controller/src/use-cases/tokens.js";

const arg = (name: string, fallback: string) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback;
const RUNS = Number(arg("runs", "200"));
const WORKLOADS = Number(arg("workloads", "200"));
const HOSTILE = arg("hostile", "true") === "true";
const APPS = 10;
const ROLES = ["web", "api", "db", "cache", "queue"];

/** 50 rules: between the roles of each app, and a monitoring rule. */
function policy50(): string {
  const lines = ["rules:"];
  for (let a = 0; a < APPS; a++) {
    for (const [from, to, port] of [
      ["web", "api", 8080],
      ["api", "db", 5432],
      ["api", "cache", 6379],
      ["api", "queue", 5672],
    ] as const) {
      lines.push(`  - name: app${a}-${from}-${to}`);
      lines.push(`    from: { app: app${a}, role: ${from} }`);
      lines.push(`    to: { app: app${a}, role: ${to} }`);
      lines.push(`    services: [tcp/${port}]`);
    }
  }
  for (let r = 0; r < 10; r++) {
    lines.push(`  - name: monitor-${r}`, "    from: { role: monitor }");
    lines.push(`    to: { role: ${ROLES[r % ROLES.length]} }`, `    services: [tcp/${9100 + r}]`);
  }
  return `${lines.join("\n")}\n`;
}

type PolicyWorkers = NonNullable<Parameters<typeof buildController>[0]["policyWorkers"]>;

/** The same jobs on the calling thread: the cost of the work without the worker's hand-off. */
const inThread = {
  run: async (kind: keyof typeof JOBS, input: unknown) =>
    (JOBS[kind] as (i: unknown) => unknown)(input),
} as unknown as PolicyWorkers;

async function controller(policyWorkers?: PolicyWorkers) {
  const store = openMemoryStore();
  const token = (await ensureAdminToken({ store })) ?? "";
  const built = await buildController({
    store,
    log: "silent",
    ...(policyWorkers !== undefined && { policyWorkers }),
  });
  const call = async (method: string, path: string, body?: string, type = "application/yaml") => {
    const headers = { authorization: `Bearer ${token}`, "content-type": type };
    const res = await built.app.request(path, { method, headers, body });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  for (let i = 0; i < WORKLOADS; i++) {
    const labels = { app: `app${i % APPS}`, role: ROLES[Math.floor(i / APPS) % ROLES.length] };
    const body = JSON.stringify({ labels, addresses: [`198.18.${i >> 8}.${i & 255}`] });
    await call("PUT", `/api/v1/workloads/w${i}`, body, "application/json");
  }
  return { ...built, call };
}

function stats(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.floor(q * (s.length - 1))] ?? 0;
  return { median: at(0.5), p90: at(0.9), min: at(0) };
}

async function timePuts(c: Awaited<ReturnType<typeof controller>>, text: string) {
  for (let i = 0; i < 20; i++) await c.call("PUT", "/api/v1/policy/draft", text);
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const res = await c.call("PUT", "/api/v1/policy/draft", text);
    ms.push(performance.now() - t0);
    if (res.status !== 200) throw new Error(`PUT answered ${res.status}`);
  }
  return stats(ms);
}

const f = (ms: number) => `${ms.toFixed(2)} ms`;

async function normal() {
  const text = policy50();
  const viaWorker = await controller();
  const inline = await controller(inThread);
  // Interleaved halves, so load on the shared machine falls on both alike.
  const w1 = await timePuts(viaWorker, text);
  const b1 = await timePuts(inline, text);
  const w2 = await timePuts(viaWorker, text);
  const b2 = await timePuts(inline, text);
  const worker = (w1.median + w2.median) / 2;
  const base = (b1.median + b2.median) / 2;
  const draft = await viaWorker.ctx.store.policy.getDraft();
  const parsed = draft?.parsed as { compiled?: { ms: number; ruleSets: number } } | undefined;
  const compiled = parsed?.compiled;
  console.log(
    `normal draft: 50 rules, ${text.length} bytes, ${WORKLOADS} workloads, ${RUNS} runs x 2`,
  );
  console.log(
    `  PUT through the worker     median ${f(worker)} (runs: ${f(w1.median)}, ${f(w2.median)}; p90 ${f(Math.max(w1.p90, w2.p90))})`,
  );
  console.log(
    `  PUT, job on the same thread median ${f(base)} (runs: ${f(b1.median)}, ${f(b2.median)}; p90 ${f(Math.max(b1.p90, b2.p90))})`,
  );
  console.log(
    `  added by the worker        ${f(worker - base)} (${((worker / base - 1) * 100).toFixed(0)}%)`,
  );
  console.log(`  compile in the job         ${compiled?.ms} ms, ${compiled?.ruleSets} RuleSets`);
  // The check job alone, without HTTP and store: through the pool, and called directly.
  const input = {
    text,
    stored: viaWorker.ctx.hub.inventoryWith([]),
    quarantines: {},
  };
  const pool = viaWorker.ctx.policyWorkers;
  type Input = { text: string; stored: Workload[]; quarantines: Record<string, never> };
  const job = async (direct: boolean, input: Input) => {
    const ms: number[] = [];
    for (let i = 0; i < RUNS + 20; i++) {
      const t0 = performance.now();
      if (direct) JOBS.check(input);
      else await pool.run("check", input, 10_000);
      if (i >= 20) ms.push(performance.now() - t0);
    }
    return stats(ms).median;
  };
  const both = async (input: Parameters<typeof job>[1]) => {
    const [j1, d1, j2, d2] = [
      await job(false, input),
      await job(true, input),
      await job(false, input),
      await job(true, input),
    ];
    return `median ${f((j1 + j2) / 2)} through the pool, ${f((d1 + d2) / 2)} called directly`;
  };
  console.log(`  the check job alone         ${await both(input)}`);
  const empty = { text: "rules: []\n", stored: [], quarantines: {} };
  console.log(`  an empty check job          ${await both(empty)}`);
  await pool.close();
}

async function hostile() {
  const c = await controller();
  await c.call("PUT", "/api/v1/policy/draft", policy50());
  for (const [name, text] of [
    ["alias bomb (1,000,000 rules)", aliasBomb(2000, 499)],
    ["5,000 documents", manyDocuments(5000)],
  ] as const) {
    const t0 = performance.now();
    const put = c.call("PUT", "/api/v1/policy/draft", text);
    const probes = await latenciesWhile(put, async () => {
      await c.call("GET", "/api/v1/status");
    });
    const res = await put;
    const error = res.json.error as { code: string; details?: { budget?: string } };
    console.log(
      `${name}, ${text.length} bytes: ${res.status} ${error.code} (${error.details?.budget ?? "-"}) ` +
        `after ${(performance.now() - t0).toFixed(0)} ms; ${probes.length} status probes meanwhile, ` +
        `slowest ${Math.max(...probes).toFixed(1)} ms`,
    );
  }
  await c.ctx.policyWorkers.close();
}

await normal();
if (HOSTILE) await hostile();
