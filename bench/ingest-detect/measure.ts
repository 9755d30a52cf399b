// The measurements of bench/ingest-detect.ts (which runs this file on the workspace's sources):
// see there. Profile with
//   node --expose-gc --cpu-prof --cpu-prof-dir=DIR --conditions=source --import tsx \
//     bench/ingest-detect/measure.ts

import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_DETECTION_CONFIG } from "../../packages/controller/src/detect/config.js";
import { DetectionService } from "../../packages/controller/src/detect/service.js";
import { FlowFeed } from "../../packages/controller/src/flows/flow-feed.js";
import { MAX_FLOW_RECORDS } from "../../packages/protocol/src/index.js";
import {
  batchText,
  controllerWithEstate,
  fmt,
  ingestGroups,
  median,
  withSeq,
} from "../flow-ingest/batches.js";

if (typeof globalThis.gc !== "function") throw new Error("run through bench/ingest-detect.ts");
const gc = globalThis.gc as () => void;

const arg = (name: string, d: number) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? d);
const WORKLOADS = arg("workloads", 3000);
// Six 50,000-record batches a round: a run of 2 (as bench/flow-ingest) lasts ~0.2 s, too short to compare.
const BATCHES = arg("batches", 6);
const ROUNDS = arg("rounds", 11);
const PEERS = arg("peers", 400);
const SCAN_SHARE = arg("scan-share", 0.01);
/** --scenario=busy or small runs only that one. */
const SCENARIO = process.argv.find((a) => a.startsWith("--scenario="))?.split("=")[1] ?? "all";
const TARGET = 0.15;

interface Scenario {
  readonly title: string;
  /** How many agents send at once. */
  readonly agents: number;
  readonly batches: number;
  readonly size: number;
}

const SCENARIOS: Record<string, Scenario> = {
  busy: {
    title: `a busy service: ${BATCHES} batches x ${fmt(MAX_FLOW_RECORDS)} records repeating ${PEERS} (peer, port) services`,
    agents: 1,
    batches: BATCHES,
    size: MAX_FLOW_RECORDS,
  },
  small: {
    title: "small batches: 2,000 batches of 50 records, 200 agents sending at once",
    agents: 200,
    batches: 2000,
    size: 50,
  },
};

const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");

async function compare(dir: string, sc: Scenario) {
  const { store, built } = await controllerWithEstate(dir, WORKLOADS);
  // buildController's detection loaded its baseline from an empty store; the one measured below
  // is built the same way once the warm-up has stored the estate's history (as after a restart).
  await built.detection.close();
  const plain = { ...built.ctx, flows: new FlowFeed() };
  const feed = new FlowFeed(built.ctx.log);
  const watched = { ...built.ctx, flows: feed };
  const now = Date.now();
  const normal = Array.from({ length: sc.batches }, (_, i) => i + 1);
  let seed = 0;
  // Every ingest gets fresh scan-like records (new scanner, new ports), the same normal traffic.
  const batches = () =>
    normal.map((n) =>
      batchText({
        seq: n,
        now,
        peers: PEERS,
        size: sc.size,
        workloads: WORKLOADS,
        scan: { share: SCAN_SHARE, seed: ++seed },
      }),
    );
  // Sequence numbers rise in the order batches are sent (a lower one is a duplicate: not stored).
  let seq = 0;
  const numbered = (texts: string[]) => texts.map((t) => withSeq(t, ++seq));
  const records = sc.batches * sc.size;

  console.log(`\n${sc.title}; ${(SCAN_SHARE * 100).toFixed(1)}% scan-like records`);
  const warm = await ingestGroups(plain, numbered(batches()), sc.agents);
  const detection = new DetectionService(built.ctx, DEFAULT_DETECTION_CONFIG);
  await detection.start(feed);
  await ingestGroups(watched, numbered(batches()), sc.agents);
  await detection.flush();

  const alone: number[] = [];
  const withDetection: number[] = [];
  const slowdowns: number[] = [];
  const cpuSlowdowns: number[] = [];
  /** CPU ms of the runs of the current round, in the order they ran. */
  const cpu: number[] = [];
  const timed = async (ctx: typeof plain, texts: string[]) => {
    const sent = numbered(texts);
    gc(); // the garbage of making the batches and of the run before is not this run's cost
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const { duplicates } = await ingestGroups(ctx, sent, sc.agents);
    if (duplicates > 0) throw new Error(`${duplicates} batches were taken as duplicates`);
    if (ctx === watched) await detection.flush(); // the alerts stored: part of the cost
    const c = process.cpuUsage(c0);
    // CPU time of this process: on a shared machine, wall time also measures the neighbours.
    cpu.push((c.user + c.system) / 1000);
    return performance.now() - t0;
  };
  for (let round = 0; round < ROUNDS; round++) {
    const a = batches();
    const b = batches();
    // Interleaved, the order alternating: a drift of the machine's load hits both alike.
    let p: number;
    let d: number;
    if (round % 2 === 0) {
      p = await timed(plain, a);
      d = await timed(watched, b);
    } else {
      d = await timed(watched, b);
      p = await timed(plain, a);
    }
    alone.push(p);
    withDetection.push(d);
    slowdowns.push((d - p) / p);
    const [first, second] = cpu.splice(0);
    const [cp, cd] = round % 2 === 0 ? [first ?? 0, second ?? 0] : [second ?? 0, first ?? 0];
    cpuSlowdowns.push((cd - cp) / cp);
  }
  await detection.close();
  const alerts = await store.alerts.list();
  await store.close();

  const kinds = new Map<string, number>();
  for (const a of alerts) kinds.set(a.kind, (kinds.get(a.kind) ?? 0) + 1);
  const rate = (ms: number) => records / (ms / 1000);
  const slowdown = median(slowdowns);
  console.log(
    `per batch: ${fmt(warm.edges / sc.batches)} edge deltas (= observations to detection); ${WORKLOADS} workloads`,
  );
  console.log(
    `ingest alone         ${fmt(rate(median(alone))).padStart(10)} records/s  (median of ${ROUNDS} rounds)`,
  );
  console.log(`ingest + detection   ${fmt(rate(median(withDetection))).padStart(10)} records/s`);
  console.log(
    `slowdown ${(slowdown * 100).toFixed(1)}% (median of the rounds' ratios; rounds ${slowdowns.map((s) => `${(s * 100).toFixed(0)}%`).join(" ")}; target <= ${TARGET * 100}%)`,
  );
  console.log(
    `slowdown in CPU time ${(median(cpuSlowdowns) * 100).toFixed(1)}% (median; rounds ${cpuSlowdowns.map((s) => `${(s * 100).toFixed(0)}%`).join(" ")})`,
  );
  console.log(
    `alerts stored: ${[...kinds].map(([k, n]) => `${k} ${n}`).join(", ") || "none"}; engine state entries ${detection.engine.stateSize()}; baseline ${fmt(detection.view.baseline.size)} edges; load average ${load()}`,
  );
  return slowdown;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "mseg-bench-detect-"));
  let worst = 0;
  try {
    console.log(
      `flow ingest with and without detection (one core; SQLite in a temp dir); load average ${load()}`,
    );
    for (const [name, sc] of Object.entries(SCENARIOS)) {
      if (SCENARIO === "all" || SCENARIO === name) {
        worst = Math.max(worst, await compare(join(dir, name), sc));
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.exitCode = worst <= TARGET ? 0 : 1;
}

await main();
