// Benchmark: what the lab's background traffic costs. The demo scenario (examples/demo, 17 flows,
// ~6 connections per second) comes up in direct mode (no controller or agents, so only the
// traffic's own cost is measured); the traffic driver runs for --seconds. Measured: the driver's
// CPU (utime+stime from /proc/<pid>/stat) and RSS, and the CPU the host servers spend opening
// the connections. Baseline, same run: the same host servers idle for the same window.
// Also: `lab traffic --once` (every flow once) against `lab probe` (every host pair and port).
//   node --import tsx bench/lab-traffic.ts [--seconds=30]       (root; builds and removes its lab)
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  labDown,
  labProbe,
  labTrafficOnce,
  labTrafficStart,
  labTrafficStatus,
  labTrafficStop,
  labUp,
  requireUp,
} from "../packages/lab/src/index.js";
import { stateDir } from "../packages/lab/src/state.js";

const arg = (n: string, d: string) =>
  process.argv.find((a) => a.startsWith(`--${n}=`))?.split("=")[1] ?? d;
const SECONDS = Number(arg("seconds", "30"));
const TICK = 100; // USER_HZ
const SCENARIO = join(import.meta.dirname, "../examples/demo/scenario.yaml");

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat
    .slice(stat.lastIndexOf(")") + 2)
    .split(" ")
    .map(Number);
  return (f[11] ?? 0) + (f[12] ?? 0);
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (ticks: number) => `${((ticks / TICK / SECONDS) * 100).toFixed(2)}% of a core`;

async function serversTicks(pids: readonly number[], ms: number): Promise<number> {
  const before = pids.map(cpuTicks);
  await sleep(ms);
  return pids.map(cpuTicks).reduce((n, t, i) => n + t - (before[i] ?? 0), 0);
}

async function timed(fn: () => Promise<unknown>, rounds = 5): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  return ms.sort((a, b) => a - b)[Math.floor(rounds / 2)] ?? Number.NaN;
}

async function main(): Promise<void> {
  await labDown();
  try {
    await labUp(SCENARIO, { direct: true });
    const state = requireUp(stateDir());
    const servers = state.servers.map((s) => s.pid);
    const idle = await serversTicks(servers, SECONDS * 1000);
    const { pid = 0 } = await labTrafficStart();
    const driverBefore = cpuTicks(pid);
    const busy = await serversTicks(servers, SECONDS * 1000);
    const driver = cpuTicks(pid) - driverBefore;
    const rss = rssMiB(pid);
    await labTrafficStop();
    const made = labTrafficStatus().flows.reduce((n, f) => n + f.attempts, 0);
    const once = await timed(() => labTrafficOnce());
    const probe = await timed(() => labProbe());
    console.log(`background traffic, ${SECONDS} s window, ${made} connections:`);
    console.log(`  driver CPU            ${pct(driver)}   RSS ${rss.toFixed(1)} MiB`);
    console.log(`  host servers, idle    ${pct(idle)}   (baseline)`);
    console.log(`  host servers, traffic ${pct(busy)}   (+${pct(busy - idle)})`);
    const perConn = ((driver + busy - idle) * (1000 / TICK)) / made;
    console.log(`  CPU per connection    ${perConn.toFixed(1)} ms (driver + servers above idle)`);
    console.log(`lab traffic --once (17 flows) ${once.toFixed(0)} ms p50`);
    console.log(`lab probe (120 pairs)         ${probe.toFixed(0)} ms p50  (baseline)`);
  } finally {
    await labDown();
  }
}

await main();
