// Benchmark: the audit log at size.
//   node --conditions=source --import tsx bench/audit.ts [--entries=100000] [--reports=300]
//
// 1. verify() on a keyed SQLite chain of --entries entries, each in its own child process so the
//    peak resident memory (maxRSS) belongs to one approach only:
//      open     open the store and read the head (the baseline every run pays)
//      all      the whole table in one array, then verified (how verify worked before)
//      paged    store.audit.verify(): 1,000 entries per unit of work
// 2. An agent flooding its status reports with events (--reports reports of 100 events) through
//    the controller's HTTP app on SQLite: audit rows written, database bytes, seconds, with the
//    events written one row each (as before) and bounded per agent and minute (now).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AgentEventAudit } from "../packages/controller/src/audit/agent-events.js";
import { buildController } from "../packages/controller/src/build.js";
import { ensureAdminToken } from "../packages/controller/src/use-cases/tokens.js";
import { verifyChain } from "../packages/store/src/index.js";
import { openSqliteStore } from "../packages/store/src/sqlite/index.js";

const arg = (name: string, d: number) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? d);
const KEY = Buffer.alloc(32, 5);

async function child(mode: string, dir: string): Promise<void> {
  const store = openSqliteStore({ dir, auditKey: KEY });
  let peak = 0;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  };
  // Between pages the walk yields, so the timer sees paged verify's heap as it goes.
  const sampler = setInterval(sample, 1);
  const t0 = performance.now();
  let count = 0;
  if (mode === "all") {
    const entries = await store.audit.list();
    sample();
    const v = verifyChain(entries, { key: KEY });
    count = v.ok ? v.count : -1;
  } else if (mode === "paged") {
    const v = await store.audit.verify();
    count = v.ok ? v.count : -1;
  } else {
    count = (await store.audit.head())?.seq ?? 0;
  }
  const ms = performance.now() - t0;
  clearInterval(sampler);
  sample();
  await store.close();
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ mode, count, ms, maxRssMb, heapMb: peak / 2 ** 20 }));
}

interface ChildResult {
  count: number;
  ms: number;
  maxRssMb: number;
  heapMb: number;
}

/** undefined: the child ran out of memory (or failed otherwise). */
function runChild(mode: string, dir: string, cap: string): ChildResult | undefined {
  const flags = [...(cap === "" ? [] : [cap]), "--conditions=source", "--import", "tsx"];
  try {
    const out = execFileSync(process.execPath, [...flags, import.meta.filename, mode, dir], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    return JSON.parse(out) as ChildResult;
  } catch {
    return undefined;
  }
}

async function fill(dir: string, n: number): Promise<void> {
  const store = openSqliteStore({ dir, auditKey: KEY });
  await store.audit.startKeyed("bench");
  const labels = { app: "shop", role: "web", env: "prod", tier: "frontend", team: "payments" };
  for (let i = 1; i < n; i++) {
    await store.audit.append({
      actor: "token/admin",
      action: "workload.update",
      target: `workload/w-${i % 500}`,
      before: { name: `w-${i % 500}`, labels, addresses: ["198.18.0.10"], mode: "test" },
      after: { name: `w-${i % 500}`, labels, addresses: ["198.18.0.10"], mode: "enforce" },
    });
  }
  await store.close();
}

function dirBytes(dir: string): number {
  return readdirSync(dir)
    .filter((f) => f.startsWith("microseg.db"))
    .reduce((n, f) => n + statSync(join(dir, f)).size, 0);
}

async function flood(reports: number, bounded: boolean) {
  const dir = mkdtempSync(join(tmpdir(), "mseg-bench-flood-"));
  try {
    const store = openSqliteStore({ dir, auditKey: KEY });
    await store.audit.startKeyed("bench");
    const token = (await ensureAdminToken({ store })) ?? "";
    const built = await buildController({ store, log: "silent" });
    if (!bounded) {
      const unbounded = new AgentEventAudit(store, built.ctx.log, built.ctx.clock, {
        rows: Number.POSITIVE_INFINITY,
        intervalMs: 60_000,
      });
      Object.assign(built.ctx, { agentEvents: unbounded });
    }
    const req = (path: string, body: unknown, auth: string) =>
      built.app.request(path, {
        method: "POST",
        headers: { authorization: `Bearer ${auth}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const prof = (await (await req("/api/v1/enrol-profiles", { name: "p" }, token)).json()) as {
      key: string;
    };
    const enrol = await req(
      "/api/v1/enrol",
      {
        key: prof.key,
        hostname: "web-1",
        interfaces: [{ name: "eth0", addresses: ["198.18.1.10"] }],
      },
      "",
    );
    const { credential } = (await enrol.json()) as { credential: string };
    const at = new Date().toISOString();
    const events = Array.from({ length: 100 }, (_, i) => ({
      kind: (["tamper", "apply-failed", "restored"] as const)[i % 3],
      at,
      details: "x".repeat(4000),
    }));
    const before = (await store.audit.head())?.seq ?? 0;
    const t0 = performance.now();
    for (let i = 0; i < reports; i++) await req("/api/v1/agent/status", { events }, credential);
    await built.ctx.agentEvents.close();
    const s = (performance.now() - t0) / 1000;
    const rows = ((await store.audit.head())?.seq ?? 0) - before;
    // The largest answer GET /api/v1/audit gives, whatever limit is asked for.
    const page = await built.app.request("/api/v1/audit?limit=1000000", {
      headers: { authorization: `Bearer ${token}` },
    });
    const pageMb = (await page.arrayBuffer()).byteLength / 1e6;
    await built.detection.close();
    await store.close();
    return { rows, mb: dirBytes(dir) / 1e6, s, pageMb };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const [mode, dir] = process.argv.slice(2).filter((a) => !a.startsWith("--"));
  if (mode !== undefined && dir !== undefined) return child(mode, dir);
  const n = arg("entries", 100_000);
  const work = mkdtempSync(join(tmpdir(), "mseg-bench-audit-"));
  try {
    const t0 = performance.now();
    await fill(work, n);
    const fillS = (performance.now() - t0) / 1000;
    console.log(
      `verify, keyed SQLite chain of ${n} entries (${(dirBytes(work) / 1e6).toFixed(0)} MB, filled in ${fillS.toFixed(1)} s)`,
    );
    console.log(
      "| approach | V8 heap cap | entries | ms | peak heapUsed MB | peak RSS MB |\n| --- | --- | --- | --- | --- | --- |",
    );
    const runs = [
      ["open", ""],
      ["all", ""],
      ["paged", ""],
      ["all", ""],
      ["paged", ""],
      ["all", "--max-old-space-size=64"],
      ["paged", "--max-old-space-size=64"],
    ];
    for (const [m = "", cap = ""] of runs) {
      const r = runChild(m, work, cap);
      const cells =
        r === undefined
          ? ["out of memory", "-", "-", "-"]
          : [String(r.count), r.ms.toFixed(0), r.heapMb.toFixed(0), r.maxRssMb.toFixed(0)];
      console.log(`| ${m} | ${cap || "default"} | ${cells.join(" | ")} |`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const reports = arg("reports", 300);
  if (reports === 0) return;
  console.log(`\nagent event flood: ${reports} status reports of 100 events (4 KB details each)`);
  console.log(
    "| events | audit rows | database MB | seconds | GET /audit?limit=1000000 MB |\n| --- | --- | --- | --- | --- |",
  );
  for (const bounded of [false, true]) {
    const r = await flood(reports, bounded);
    const name = bounded ? "bounded (10/agent/min + summaries)" : "one row each (before)";
    console.log(
      `| ${name} | ${r.rows} | ${r.mb.toFixed(1)} | ${r.s.toFixed(1)} | ${r.pageMb.toFixed(1)} |`,
    );
  }
}

await main();
