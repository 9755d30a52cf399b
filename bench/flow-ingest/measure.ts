// The measurements of bench/flow-ingest.ts (which runs this file with --expose-gc and the
// workspace's sources): see there.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { FlowEndRef } from "../../packages/controller/src/flows/address-book.js";
import { EdgeAggregator } from "../../packages/controller/src/flows/edge-aggregator.js";
import { FlowFeed } from "../../packages/controller/src/flows/flow-feed.js";
import { MAX_FLOW_RECORDS } from "../../packages/protocol/src/index.js";
import type { EdgeDelta } from "../../packages/store/src/index.js";
import { DB_FILE, openSqliteStore } from "../../packages/store/src/sqlite/index.js";
import {
  address,
  batchText,
  controllerWithEstate,
  fmt,
  HOUR,
  ingestGroups,
  median,
  PORTS,
  storeArg,
  withSeq,
} from "./batches.js";

if (typeof globalThis.gc !== "function") throw new Error("run through bench/flow-ingest.ts");
const gc = globalThis.gc as () => void;

const arg = (name: string, d: number) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? d);
const WORKLOADS = arg("workloads", 3000);
const BATCHES = arg("batches", 2);
const ROUNDS = arg("rounds", 5);
const PEERS = arg("peers", 400);
/** --scenario=busy, worst or small runs only that one. */
const SCENARIO = process.argv.find((a) => a.startsWith("--scenario="))?.split("=")[1] ?? "all";
/** --outcomes: records carry what the network answered (12 elements, see BatchShape.outcomes). */
const OUTCOMES = process.argv.includes("--outcomes");
const SMALL_BATCHES = 2000;
const SMALL_SIZE = 50;
const SMALL_AGENTS = 200;

async function setUp(dir: string) {
  const { store, built } = await controllerWithEstate(dir, WORKLOADS);
  // The ingest alone: a feed nobody listens to (detection would otherwise run on every batch).
  const ctx = { ...built.ctx, flows: new FlowFeed() };
  return {
    store,
    ctx,
    close: async () => {
      await built.detection.close();
      await store.close();
    },
  };
}

interface Scenario {
  readonly title: string;
  /** How many agents send at once (each sends every `agents`-th batch). */
  readonly agents: number;
  readonly peers: number;
  readonly batches: number;
  readonly size: number;
}

async function throughput(dir: string, sc: Scenario) {
  const env = await setUp(dir);
  const now = Date.now();
  const texts = Array.from({ length: sc.batches }, (_, i) =>
    batchText({
      seq: i + 1,
      now,
      peers: sc.peers,
      size: sc.size,
      workloads: WORKLOADS,
      outcomes: OUTCOMES,
    }),
  );
  const records = sc.batches * sc.size;
  const bytes = texts.reduce((n, t) => n + t.length, 0);
  const parse: number[] = [];
  const ingest: number[] = [];
  let seq = 0;
  let edges = 0;
  let counted = 0;
  for (let round = 0; round < ROUNDS + 1; round++) {
    // Each round sends the batches again under new sequence numbers (made before the clock runs).
    const sent = texts.map((t) => withSeq(t, ++seq));
    let t0 = performance.now();
    for (const t of sent) JSON.parse(t);
    const p = performance.now() - t0;
    t0 = performance.now();
    // `agents` batches at a time from as many agents, as concurrent requests would arrive.
    const out = await ingestGroups(env.ctx, sent, sc.agents);
    edges += out.edges;
    counted += out.counted;
    const i = performance.now() - t0;
    if (round === 0) {
      console.log(`\n${sc.title}`);
      console.log(`first round (new rows): ingest ${fmt(records / (i / 1000))} records/s`);
      edges = 0;
      counted = 0;
      continue; // warm-up: compiled code, rows exist (later rounds merge into them)
    }
    parse.push(p);
    ingest.push(i);
  }
  const stats = await env.store.flows.stats();
  await env.close();
  const p = records / (median(parse) / 1000);
  const i = records / (median(ingest) / 1000);
  console.log(
    `batches ${fmt(sc.batches)} x ${fmt(sc.size)} records (${fmt(bytes / sc.batches)} bytes each), ${WORKLOADS} workloads`,
  );
  console.log(
    `per batch after side rules: ${fmt(counted / ROUNDS / sc.batches)} records counted, ${fmt(edges / ROUNDS / sc.batches)} edge deltas; ${fmt(stats.rows)} rows stored`,
  );
  console.log(`JSON.parse only      ${fmt(p).padStart(12)} records/s`);
  console.log(
    `whole ingest         ${fmt(i).padStart(12)} records/s   ratio ${(i / p).toFixed(2)}x of JSON.parse   (targets: >= 100,000/s, >= 0.5x)`,
  );
}

function memoryPerEdge() {
  const remotes: FlowEndRef[] = Array.from({ length: 50_000 }, (_, i) => ({
    name: address(i),
    kind: "address",
    managed: false,
  }));
  const now = Date.now();
  const edges = remotes.length * 2 * 3 * 2; // remotes x sides x verdicts x ports
  let keep: EdgeAggregator | undefined;
  gc();
  const before = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  keep = new EdgeAggregator(HOUR, now);
  for (const remote of remotes) {
    for (const side of [0, 1] as const) {
      for (let v = 0; v < 3; v++) {
        keep.add(remote, side, "tcp", 443, v, 0, 1, 1, 100, now - 1000, now);
        keep.add(remote, side, "udp", 53, v, 0, 1, 1, 100, now - 1000, now);
      }
    }
  }
  gc();
  const after = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  if (keep.size !== edges) throw new Error(`expected ${edges} edges, got ${keep.size}`);
  console.log(
    `memory per live aggregated edge: ${((after - before) / edges).toFixed(0)} bytes (${fmt(edges)} edges; target <= 200)`,
  );
  keep = undefined;
}

async function bytesPerRow(dir: string) {
  const store = openSqliteStore({ dir });
  const now = Math.floor(Date.now() / HOUR) * HOUR;
  const rows = 200_000;
  const ends = 5000;
  const deltas: EdgeDelta[] = [];
  for (let i = 0; i < rows; i++) {
    const bucket = now - (i % 24) * HOUR;
    const to = Math.floor(i / 24) % ends;
    const [proto, port] = PORTS[Math.floor(i / 24 / ends) % PORTS.length] as [string, number];
    deltas.push({
      bucket,
      from: `w-${(i * 7) % ends}`,
      fromKind: "workload",
      to: to % 4 === 0 ? address(to) : `w-${to}`,
      toKind: to % 4 === 0 ? "address" : "workload",
      port: `${proto}/${port}`,
      verdict: i % 10 === 0 ? "blocked" : "allowed",
      // With --outcomes, a row in 25 refused and one unanswered (blocked rows are unanswered).
      ...(OUTCOMES && i % 25 === 1 && { outcome: "refused" as const }),
      ...(OUTCOMES && i % 25 === 2 && { outcome: "unanswered" as const }),
      rule: i % 10 === 0 ? "no-ssh" : null,
      count: 1 + (i % 50),
      packets: 12 * (1 + (i % 50)),
      bytes: 4000 * (1 + (i % 50)),
      first: bucket + (i % 3_000_000),
      last: bucket + (i % 3_000_000) + 30_000,
    });
  }
  await store.flows.applyBatch("a", 1, deltas);
  const stored = (await store.flows.stats()).rows;
  const t0 = performance.now();
  const one = await store.flows.edges({ either: ["w-42"] });
  const tOne = performance.now() - t0;
  const t1 = performance.now();
  const all = await store.flows.edges({ since: now - 6 * HOUR });
  const tAll = performance.now() - t1;
  await store.close();
  const db = new Database(join(dir, DB_FILE));
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.exec("VACUUM");
  const sizes = db
    .prepare(
      "SELECT name, sum(pgsize) AS bytes FROM dbstat WHERE name LIKE 'flow_edges%' OR name LIKE 'sqlite_autoindex_flow_edges%' GROUP BY name",
    )
    .all() as { name: string; bytes: number }[];
  db.close();
  const total = sizes.reduce((n, s) => n + s.bytes, 0);
  const parts = sizes.map((s) => `${s.name} ${(s.bytes / stored).toFixed(0)}`).join(", ");
  console.log(
    `SQLite bytes per edge row: ${(total / stored).toFixed(0)} (${parts}; ${fmt(stored)} rows, VACUUMed)`,
  );
  console.log(
    `queries on ${fmt(stored)} rows: workload's edges ${tOne.toFixed(1)} ms (${one.length} edges), last 6h merged ${tAll.toFixed(0)} ms (${fmt(all.length)} edges)`,
  );
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "mseg-bench-flows-"));
  try {
    const where =
      storeArg() === "sqlite"
        ? "SQLite in a temp dir"
        : "PostgreSQL, a throwaway local server with fsync on";
    console.log(`flow ingest (one core; ${where})`);
    const scenarios: Record<string, Scenario> = {
      busy: {
        title: `a busy service: ${PEERS} (peer, port) services`,
        agents: 1,
        peers: PEERS,
        batches: BATCHES,
        size: MAX_FLOW_RECORDS,
      },
      worst: {
        title: "worst case: every record a random edge",
        agents: 1,
        peers: 0,
        batches: BATCHES,
        size: MAX_FLOW_RECORDS,
      },
      small: {
        title: `small batches: ${fmt(SMALL_BATCHES)} batches of ${SMALL_SIZE} records, ${SMALL_AGENTS} agents sending at once`,
        agents: SMALL_AGENTS,
        peers: PEERS,
        batches: SMALL_BATCHES,
        size: SMALL_SIZE,
      },
    };
    for (const [name, sc] of Object.entries(scenarios)) {
      if (SCENARIO === "all" || SCENARIO === name) await throughput(join(dir, name), sc);
    }
    memoryPerEdge();
    if (storeArg() === "sqlite") await bytesPerRow(join(dir, "rows"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
