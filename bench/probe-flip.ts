// Benchmark: how fast a policy change reaches the wire. A lab with a controller and real agents;
// a client host opens a new TCP connection to a server host back to back; the policy is
// provisioned alternately without and with the rule that allows it. Measured: from the moment
// the provision request is sent to the start of the first connection attempt that shows the new
// verdict (blocked, then allowed again). Baseline in the same run: one no-op API round trip.
//   node --import tsx bench/probe-flip.ts [--rounds=10]      (root; builds and removes its lab)
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { pushPolicy } from "../packages/lab/src/control-plane.js";
import { labDown, labUp, requireUp } from "../packages/lab/src/index.js";
import { labApi } from "../packages/lab/src/lab-api.js";
import { stateDir } from "../packages/lab/src/state.js";
import { apiOf } from "../packages/lab/src/up-control-plane.js";

const arg = (n: string, d: string) =>
  process.argv.find((a) => a.startsWith(`--${n}=`))?.split("=")[1] ?? d;
const ROUNDS = Number(arg("rounds", "10"));
const FLIP_TIMEOUT_MS = 10_000;

const SCENARIO = `name: flip
hosts:
  - { name: client, labels: { role: client }, listen: [] }
  - { name: server, labels: { role: server }, listen: [tcp/80] }
policy: [allow.yaml]
`;
const ALLOW = `rules:
  - { name: client-to-server, from: { role: client }, to: { role: server }, services: [tcp/80] }
`;
const DENY = "rules: []\n";

// Runs inside the client's namespace: one connection attempt after another (50 ms timeout),
// printing `<epoch ms of the attempt's start> <allowed|blocked>` whenever the verdict changes.
const LOOP = `
const net = require("node:net");
const [host, maxMs] = [process.argv[1], Number(process.argv[2])];
const end = Date.now() + maxMs; let last = "";
const now = () => performance.timeOrigin + performance.now();
const attempt = () => {
  if (Date.now() > end) return;
  const t = now(); let done = false;
  const c = net.connect({ host, port: 80 });
  const finish = (v) => { if (done) return; done = true; c.destroy();
    if (v !== last) { last = v; console.log(t.toFixed(2) + " " + v); } setImmediate(attempt); };
  c.setTimeout(50, () => finish("blocked"));
  c.on("connect", () => finish("allowed"));
  c.on("error", () => finish("blocked"));
};
attempt();`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "mseg-flip-"));
  writeFileSync(join(dir, "scenario.yaml"), SCENARIO);
  writeFileSync(join(dir, "allow.yaml"), ALLOW);
  await labDown();
  try {
    await labUp(join(dir, "scenario.yaml"));
    const state = requireUp(stateDir());
    const api = apiOf(state.controller as NonNullable<typeof state.controller>);
    const client = state.hosts.find((h) => h.name === "client");
    const server = state.hosts.find((h) => h.name === "server");
    if (!client || !server || !state.controller) throw new Error("lab without controller");
    const loop = spawn("ip", [
      "netns",
      "exec",
      client.netns,
      process.execPath,
      "-e",
      LOOP,
      server.address,
      String((ROUNDS * 2 + 2) * FLIP_TIMEOUT_MS),
    ]);
    const verdicts = createInterface({ input: loop.stdout });
    const changes: { t: number; v: string }[] = [];
    let wake: () => void = () => {};
    verdicts.on("line", (line) => {
      const [t, v] = line.split(" ");
      changes.push({ t: Number(t), v: v ?? "" });
      wake();
    });
    const waitFor = async (v: string, after: number) => {
      const deadline = Date.now() + FLIP_TIMEOUT_MS;
      for (;;) {
        const hit = changes.find((c) => c.v === v && c.t >= after);
        if (hit) return hit.t - after;
        if (Date.now() > deadline) throw new Error(`no flip to ${v} within ${FLIP_TIMEOUT_MS} ms`);
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 100);
        });
      }
    };
    await waitFor("allowed", 0);
    const noop: number[] = [];
    const toBlocked: number[] = [];
    const toAllowed: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      let t = performance.timeOrigin + performance.now();
      await labApi(api, "GET", "/api/v1/status");
      noop.push(performance.timeOrigin + performance.now() - t);
      t = performance.timeOrigin + performance.now();
      await pushPolicy(api, DENY, `flip ${r} deny`);
      toBlocked.push(await waitFor("blocked", t));
      t = performance.timeOrigin + performance.now();
      await pushPolicy(api, ALLOW, `flip ${r} allow`);
      toAllowed.push(await waitFor("allowed", t));
    }
    loop.kill();
    report(noop, toBlocked, toAllowed);
  } finally {
    await labDown();
    rmSync(dir, { recursive: true, force: true });
  }
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? Number.NaN;
}

function report(noop: number[], toBlocked: number[], toAllowed: number[]): void {
  const row = (name: string, xs: number[]) =>
    `${name.padEnd(28)} p50 ${pct(xs, 50).toFixed(1).padStart(7)} ms   p99 ${pct(xs, 99).toFixed(1).padStart(7)} ms   ratio p50 to no-op ${(pct(xs, 50) / pct(noop, 50)).toFixed(1)}x`;
  console.log(`probe-flip  rounds=${ROUNDS} (lab: controller + 2 agents, real nft)`);
  console.log(row("no-op API round trip", noop));
  console.log(row("provision -> blocked on wire", toBlocked));
  console.log(row("provision -> allowed again", toAllowed));
}

await main();
