// Benchmark: the Store port on embedded SQLite (a real file in a temp dir, WAL) against the memory
// adapter in the same run. Every call is one unit of work (one transaction on SQLite).
//   node --import tsx bench/store.ts [--n=10000] [--sync=full|normal]   (SQLite synchronous)

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Store } from "../packages/store/src/index.js";
import { openMemoryStore } from "../packages/store/src/memory/index.js";
import { openSqliteStore } from "../packages/store/src/sqlite/index.js";

const N = Number(process.argv.find((a) => a.startsWith("--n="))?.split("=")[1] ?? "10000");
const SYNC =
  process.argv.find((a) => a.startsWith("--sync="))?.split("=")[1] === "normal" ? "normal" : "full";

interface Step {
  readonly name: string;
  readonly ops: number;
  run(s: Store): Promise<void>;
}

const address = (i: number) => `198.${18 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
const hash = (c: string, i: number) => `${c}${i.toString(16).padStart(63, "0")}`;

const STEPS: Step[] = [
  {
    name: "workloads.upsert (audited)",
    ops: N,
    async run(s) {
      for (let i = 0; i < N; i++) {
        const labels = { app: `app-${i % 50}`, role: `r${i % 7}`, env: i % 2 ? "prod" : "dev" };
        await s.workloads.upsert(
          { name: `w-${i}`, labels, addresses: [address(i)], mode: "enforce", managed: true },
          "bench",
        );
      }
    },
  },
  {
    name: "workloads.list (all)",
    ops: 20,
    async run(s) {
      for (let i = 0; i < 20; i++) await s.workloads.list();
    },
  },
  {
    name: "audit.append",
    ops: N,
    async run(s) {
      for (let i = 0; i < N; i++) {
        await s.audit.append({
          actor: "bench",
          action: "bench.event",
          target: `t/${i}`,
          after: { i },
        });
      }
    },
  },
  {
    name: "audit.verify (entries/s)",
    ops: 2 * N,
    async run(s) {
      const v = await s.audit.verify();
      if (!v.ok || v.count !== 2 * N) throw new Error(`chain broken: ${JSON.stringify(v)}`);
    },
  },
  {
    name: "agents.enrol",
    ops: 1000,
    async run(s) {
      await s.enrolment.create(
        { id: "p", name: "p", keyHash: hash("k", 0), labels: { app: "x" }, mode: "test" },
        "bench",
      );
      const now = new Date();
      for (let i = 0; i < 1000; i++) {
        const r = await s.agents.enrol({
          keyHash: hash("k", 0),
          now,
          agentId: `a-${i}`,
          credentialHash: hash("c", i),
          hostname: `h-${i}`,
          interfaces: [{ name: "eth0", addresses: [address(N + i)] }],
          // A new workload each: an unbound profile does not take over the upserted w-*.
          workload: `e-${i}`,
          addresses: [address(N + i)],
        });
        if (!r.ok) throw new Error(r.reason);
      }
    },
  },
  {
    name: "agents.report (heartbeat)",
    ops: N,
    async run(s) {
      for (let i = 0; i < N; i++) {
        await s.agents.report(`a-${i % 1000}`, { at: new Date(), drift: "in-sync" });
      }
    },
  },
];

async function measure(open: () => Store): Promise<Map<string, number>> {
  const store = open();
  const out = new Map<string, number>();
  try {
    for (const step of STEPS) {
      const t0 = performance.now();
      await step.run(store);
      out.set(step.name, step.ops / ((performance.now() - t0) / 1000));
    }
  } finally {
    await store.close();
  }
  return out;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "mseg-bench-store-"));
  try {
    await measure(() => openMemoryStore()); // warm-up: both sides then run on compiled code
    const memory = await measure(() => openMemoryStore());
    const sqlite = await measure(() => openSqliteStore({ dir, synchronous: SYNC }));
    console.log(
      `store  (n=${N}, synchronous ${SYNC}; ops/s, higher is better; ratio = sqlite / memory)`,
    );
    for (const step of STEPS) {
      const m = memory.get(step.name) ?? Number.NaN;
      const s = sqlite.get(step.name) ?? Number.NaN;
      const cells = [
        step.name.padEnd(28),
        `memory ${fmt(m).padStart(10)}`,
        `sqlite ${fmt(s).padStart(10)}`,
        `ratio ${(s / m).toFixed(2)}x`,
      ];
      console.log(cells.join("  "));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

await main();
