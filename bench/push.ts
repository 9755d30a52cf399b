// Benchmark: time to push a revision through the controller to every agent, over the real
// agent channel (HTTPS, CA pinned, long-poll) — simulated agents in this process that "apply"
// instantly and acknowledge. Measured per agent from just before POST /policy/provision to its
// acknowledgement answered; compared with a no-op round trip over the same channel (a
// heartbeat, POST /agent/status) measured in the same run. The controller runs in its own
// process (`microseg controller` from source), so the agents' share of CPU is not its.
//   node --import tsx bench/push.ts [--agents=100,1000] [--rounds=5] [--cpu-prof=DIR]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { channel, enrolAgents, pct, policy, runAgent, spawnController } from "./push/agents.js";

const arg = (name: string, def: string) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? def;
const SIZES = arg("agents", "100,1000").split(",").map(Number);
const ROUNDS = Number(arg("rounds", "5"));
/** --cpu-prof=DIR: the controller writes a V8 CPU profile there when it stops. */
const CPU_PROF = arg("cpu-prof", "");

async function bench(n: number) {
  const dir = mkdtempSync(join(tmpdir(), "mseg-push-"));
  const ctl = await spawnController(dir, [], CPU_PROF);
  const ch = channel(ctl.url, ctl.caPem);
  const token = ctl.adminToken ?? "";
  try {
    const creds = await enrolAgents(ch, token, n);
    // No-op round trip: a heartbeat, sequential, per agent.
    const rtt: number[] = [];
    for (let i = 0; i < Math.min(n, 200); i++) {
      const t0 = performance.now();
      await ch.call("POST", "/api/v1/agent/status", creds[i] ?? "", {});
      rtt.push(performance.now() - t0);
    }
    let done = false;
    let pending = new Map<number, (t: number) => void>();
    creds.forEach((c, i) => {
      const me = { at: 0, onAck: (t: number) => pending.get(i)?.(t) };
      runAgent([ch], new Set(), me, c, () => done).catch(() => undefined);
    });
    const lat: number[] = [];
    for (let round = 0; round <= ROUNDS; round++) {
      const acks = creds.map((_, i) => new Promise<number>((res) => pending.set(i, res)));
      await ch.call("PUT", "/api/v1/policy/draft", token, { text: policy(5000 + round) });
      await new Promise((r) => setTimeout(r, 200)); // every poll held again
      const t0 = performance.now();
      await ch.call("POST", "/api/v1/policy/provision", token, {});
      const times = await Promise.all(acks);
      pending = new Map();
      if (round > 0) lat.push(...times.map((t) => t - t0)); // round 0 warms up
    }
    done = true;
    lat.sort((a, b) => a - b);
    rtt.sort((a, b) => a - b);
    return { n, p50: pct(lat, 50), p99: pct(lat, 99), rtt: pct(rtt, 50) };
  } finally {
    await ctl.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(
  `push: provision -> ack on every agent, ${ROUNDS} rounds, every agent's RuleSet changes`,
);
console.log("agents | p50 ms | p99 ms | no-op RTT p50 ms | p50/RTT | p99/RTT");
for (const n of SIZES) {
  const r = await bench(n);
  const f = (x: number) => x.toFixed(1);
  console.log(
    `${r.n} | ${f(r.p50)} | ${f(r.p99)} | ${f(r.rtt)} | ${f(r.p50 / r.rtt)} | ${f(r.p99 / r.rtt)}`,
  );
}
process.exit(0);
