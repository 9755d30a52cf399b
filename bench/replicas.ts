// Benchmark: controller replicas on one PostgreSQL database. For 1 and for 3 replicas (each
// `microseg controller --store postgres://…` from source in its own process, a throwaway local
// PostgreSQL with fsync on), N simulated agents spread over the replicas (agent i on replica
// i mod R), each holding a long-poll and acknowledging at once (bench/push/agents.ts):
//   push      POST /policy/provision on replica 0 -> every agent's acknowledgement, p50 / p99;
//             agents on other replicas learn of it through the change stream (200 ms polling)
//   failover  (R > 1) SIGKILL of the last replica: per agent that was on it, the time from the
//             kill to its first answer from another replica (it moves on the connection error,
//             as the real agent does; no backoff on the first move), p50 / p99 / max; then one
//             more provision that every agent must acknowledge (lost: those that do not in 30 s)
// Baseline in the same run: the no-op round trip (a heartbeat) on replica 0, median.
//   node --import tsx bench/replicas.ts [--agents=1000] [--replicas=1,3] [--rounds=5] [--cpu-prof=DIR]

import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startPostgres } from "../packages/store/src/testing/postgres.js";
import {
  type Channel,
  channel,
  enrolAgents,
  pct,
  policy,
  runAgent,
  type SimAgent,
  type Spawned,
  spawnController,
} from "./push/agents.js";

const arg = (name: string, def: string) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? def;
const AGENTS = arg("agents", "1000").split(",").map(Number);
const REPLICAS = arg("replicas", "1,3").split(",").map(Number);
const ROUNDS = Number(arg("rounds", "5"));
const LOST_AFTER_MS = 30_000;
/** --cpu-prof=DIR: every controller writes a V8 CPU profile there when it stops. */
const CPU_PROF = arg("cpu-prof", "");

/** Provisions a new port on replica 0; answers each agent's ack time after it, or NaN if lost. */
async function round(ch0: Channel, token: string, agents: SimAgent[], port: number) {
  const acks = agents.map(
    (a) =>
      new Promise<number>((resolve) => {
        const timer = setTimeout(() => resolve(Number.NaN), LOST_AFTER_MS);
        a.onAck = (t) => {
          clearTimeout(timer);
          a.onAck = undefined;
          resolve(t);
        };
      }),
  );
  await ch0.call("PUT", "/api/v1/policy/draft", token, { text: policy(port) });
  await new Promise((r) => setTimeout(r, 300)); // every poll held again
  const t0 = performance.now();
  const r = await ch0.call("POST", "/api/v1/policy/provision", token, {});
  if (r.status !== 201) throw new Error(`provision answered ${r.status}`);
  return (await Promise.all(acks)).map((t) => t - t0);
}

async function bench(pgUrl: string, n: number, replicas: number) {
  const dirs = [mkdtempSync(join(tmpdir(), "mseg-replicas-key-"))];
  const keyFile = join(dirs[0] as string, "audit.key");
  writeFileSync(keyFile, `${randomBytes(32).toString("hex")}\n`);
  chmodSync(keyFile, 0o600);
  const ctls: Spawned[] = [];
  const start = () => {
    const dir = mkdtempSync(join(tmpdir(), "mseg-replica-"));
    dirs.push(dir);
    return spawnController(dir, ["--store", pgUrl, "--audit-key", keyFile], CPU_PROF);
  };
  try {
    for (let i = 0; i < replicas; i++) ctls.push(await start());
    const chs = ctls.map((c) => channel(c.url, c.caPem));
    const ch0 = chs[0] as Channel;
    const token = ctls.find((c) => c.adminToken !== undefined)?.adminToken ?? "";
    process.stderr.write(`  enrolling ${n} agents...\n`);
    const creds = await enrolAgents(ch0, token, n);
    const rtt: number[] = [];
    for (let i = 0; i < Math.min(n, 200); i++) {
      const t0 = performance.now();
      await ch0.call("POST", "/api/v1/agent/status", creds[i] ?? "", {});
      rtt.push(performance.now() - t0);
    }
    let done = false;
    const dead = new Set<number>();
    const agents: SimAgent[] = creds.map((_, i) => ({ at: i % replicas }));
    creds.forEach((c, i) => {
      runAgent(chs, dead, agents[i] as SimAgent, c, () => done).catch(() => undefined);
    });
    const lat: number[] = [];
    let lost = 0;
    for (let r = 0; r <= ROUNDS; r++) {
      const times = await round(ch0, token, agents, 5000 + r);
      if (r === 0) continue; // warms up
      lat.push(...times.filter((t) => !Number.isNaN(t)));
      lost += times.filter((t) => Number.isNaN(t)).length;
    }
    lat.sort((a, b) => a - b);
    let failover: { moved: number[]; lost: number } | undefined;
    if (replicas > 1) {
      const victim = replicas - 1;
      const on = agents.filter((a) => a.at === victim);
      const moved = on.map(
        (a) =>
          new Promise<number>((resolve) => {
            a.onMoved = (t) => {
              a.onMoved = undefined;
              resolve(t);
            };
          }),
      );
      dead.add(victim);
      const t0 = performance.now();
      ctls[victim]?.child.kill("SIGKILL");
      const times = (await Promise.all(moved)).map((t) => t - t0).sort((a, b) => a - b);
      const after = await round(ch0, token, agents, 6000);
      failover = { moved: times, lost: after.filter((t) => Number.isNaN(t)).length };
    }
    done = true;
    rtt.sort((a, b) => a - b);
    return { lat, rtt: pct(rtt, 50), failover, lost };
  } finally {
    for (const c of ctls) await Promise.race([c.close(), new Promise((r) => setTimeout(r, 2000))]);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

const server = await startPostgres({ durable: true });
try {
  console.log(
    `replicas: provision -> ack on every agent (${ROUNDS} rounds), agents spread over the replicas; PostgreSQL with fsync on`,
  );
  console.log(
    "agents | replicas | p50 ms | p99 ms | lost | no-op RTT ms | p99/RTT | failover p50 / p99 / max ms | lost after failover",
  );
  let db = 0;
  for (const n of AGENTS) {
    for (const r of REPLICAS) {
      const url = await server.createDatabase(`replicas${++db}`);
      const b = await bench(url, n, r);
      const f = (x: number) => x.toFixed(0);
      const fo =
        b.failover === undefined
          ? "- | -"
          : `${f(pct(b.failover.moved, 50))} / ${f(pct(b.failover.moved, 99))} / ${f(b.failover.moved.at(-1) ?? Number.NaN)} (${b.failover.moved.length} agents) | ${b.failover.lost}`;
      console.log(
        `${n} | ${r} | ${f(pct(b.lat, 50))} | ${f(pct(b.lat, 99))} | ${b.lost} | ${b.rtt.toFixed(1)} | ${(pct(b.lat, 99) / b.rtt).toFixed(0)} | ${fo}`,
      );
    }
  }
} finally {
  await server.stop();
}
process.exit(0);
