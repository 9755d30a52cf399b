// Benchmark: the host agent's footprint at idle with a 10,000-peer RuleSet applied.
//   node --import tsx bench/agent-footprint.ts [--seconds=30] [--peers=10000]
// The compiled agent (packages/agent/dist, what `microseg agent` runs) runs in a throwaway namespace
// against a fake controller process in a second one. Baseline, same run, same namespace: a bare
// `node -e "setInterval(()=>{},1e9)"`.
//   RSS (VmRSS)                 target <= bare + 30 MiB
//   idle CPU over --seconds     target <= 0.5% of a core (utime+stime from /proc/<pid>/stat;
//                               also shown with its children: the reaped ones (cutime+cstime)
//                               plus the long-lived ones — nft monitor, the nft session,
//                               conntrack -E — measured over the same window)

import { spawnSync } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { manyClients, serverRuleSet } from "../packages/agent/src/testing/index.js";
import { JsonLines } from "../packages/agent/src/testing/json-lines.js";
import { createNetns, joinNamespaces, type Netns } from "../packages/nft/src/testing/index.js";

const arg = (n: string, d: string) =>
  process.argv.find((a) => a.startsWith(`--${n}=`))?.slice(n.length + 3) ?? d;
const SECONDS = Number(arg("seconds", "30"));
const PEERS = Number(arg("peers", "10000"));
const FLAGS = arg("node-flags", "");
const EXTRA = JSON.parse(arg("options", "{}")) as Record<string, unknown>;
const root = join(import.meta.dirname, "..");
const TICK = 100; // USER_HZ
/** The compiled agent (what `microseg agent` runs), without the CLI around it. */
const AGENT = join(root, "packages/agent/dist/index.js");

interface Sample {
  rssKiB: number;
  /** utime+stime, and cutime+cstime (reaped children), in ticks. */
  own: number;
  children: number;
}

async function sample(pid: number): Promise<Sample> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  const f = stat
    .slice(stat.lastIndexOf(")") + 2)
    .split(" ")
    .map(Number);
  // fields after "pid (comm) ": state=0 … utime=11 stime=12 cutime=13 cstime=14
  return { rssKiB, own: (f[11] ?? 0) + (f[12] ?? 0), children: (f[13] ?? 0) + (f[14] ?? 0) };
}

/** A process's live descendants (pids), through every thread's children list. */
async function descendants(pid: number): Promise<number[]> {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const texts = await Promise.all(
    tasks.map((t) => readFile(`/proc/${pid}/task/${t}/children`, "utf8").catch(() => "")),
  );
  const kids = texts.flatMap((t) => t.trim().split(/\s+/).filter(Boolean).map(Number));
  const deeper = await Promise.all(kids.map(descendants));
  return [...kids, ...deeper.flat()];
}

/** utime+stime (ticks) per live descendant, by pid. */
async function liveChildren(pid: number): Promise<Map<number, Sample>> {
  const out = new Map<number, Sample>();
  for (const k of await descendants(pid)) {
    const s = await sample(k).catch(() => undefined);
    if (s !== undefined) out.set(k, s);
  }
  return out;
}

/** CPU ticks the long-lived children used in the window (those alive at both ends). */
function liveTicks(before: Map<number, Sample>, after: Map<number, Sample>): number {
  let ticks = 0;
  for (const [pid, s] of after) {
    const b = before.get(pid);
    if (b !== undefined) ticks += s.own - b.own;
  }
  return ticks;
}

async function main(): Promise<void> {
  const build = spawnSync("npx", ["tsc", "-b", "packages/agent"], { cwd: root, stdio: "inherit" });
  if (build.status !== 0) throw new Error("build failed");
  const dir = await mkdtemp(join(tmpdir(), "mseg-agent-bench-"));
  const nss: Netns[] = [];
  const procs: JsonLines[] = [];
  try {
    const out = await createNetns("msegt-agentb");
    const host = await createNetns("msegt-agentb");
    nss.push(out, host);
    await joinNamespaces(out, host);
    const script = join(root, "packages/agent/testdata/fake-controller-child.mts");
    const tsx = ["--conditions=source", "--import", "tsx"];
    const controller = new JsonLines(
      out.spawn(process.execPath, [...tsx, script, "198.18.0.1", "7080"]),
    );
    procs.push(controller);
    await controller.waitFor((l) => typeof l.ready === "string", 20_000);
    const ruleSet = serverRuleSet(manyClients(PEERS), [80, 443]);
    const management = { v4: ["198.18.0.1/32"], v6: [] };
    controller.child.stdin?.write(
      `${JSON.stringify({ policy: { revision: 1, ruleSet, management } })}\n`,
    );

    const options = {
      controller: "http://198.18.0.1:7080",
      enrolKey: "key-1",
      stateDir: dir,
      ...EXTRA,
    };
    const entry = `import { runAgentProcess } from ${JSON.stringify(AGENT)};
process.exitCode = await runAgentProcess(${JSON.stringify(options)});`;
    const flags = FLAGS ? FLAGS.split(" ") : [];
    const agent = new JsonLines(
      host.spawn(process.execPath, [...flags, "--input-type=module", "-e", entry]),
    );
    const bare = new JsonLines(host.spawn(process.execPath, ["-e", "setInterval(()=>{},1e9)"]));
    procs.push(agent, bare);
    let stderr = "";
    agent.child.stderr?.on("data", (b: Buffer) => {
      stderr += b.toString();
    });
    const acked = (l: Record<string, unknown>) =>
      (l.status as { applied?: { ok?: boolean } })?.applied?.ok === true;
    await controller.waitFor(acked, 30_000).catch((e: Error) => {
      throw new Error(`${e.message}\nagent:\n${agent.tail()}\n${stderr}`);
    });
    await new Promise((r) => setTimeout(r, 5_000)); // settle: GC, first heartbeats
    const pids = [agent.child.pid ?? 0, bare.child.pid ?? 0];
    if (process.env.MEM)
      setInterval(() => void sample(pids[0] ?? 0).then((s) => console.log(s.rssKiB)), 2000).unref();
    const kids0 = await liveChildren(pids[0] ?? 0);
    const before = await Promise.all(pids.map(sample));
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    const after = await Promise.all(pids.map(sample));
    const kids1 = await liveChildren(pids[0] ?? 0);
    const wall = (performance.now() - t0) / 1000;
    report(before, after, liveTicks(kids0, kids1), wall);
    let rss = 0;
    for (const s of kids1.values()) rss += s.rssKiB;
    console.log(
      `      the agent's ${kids1.size} long-lived children (nft monitor, nft session, conntrack): ` +
        `${(rss / 1024).toFixed(1)} MiB RSS`,
    );
  } finally {
    for (const p of procs) await p.stop("SIGKILL");
    for (const ns of nss) await ns.delete();
    await rm(dir, { recursive: true, force: true });
  }
}

function report(before: Sample[], after: Sample[], live: number, wall: number): void {
  const [a0, b0] = before as [Sample, Sample];
  const [a1, b1] = after as [Sample, Sample];
  const pct = (ticks: number) => ((ticks / TICK / wall) * 100).toFixed(3);
  const mib = (kib: number) => (kib / 1024).toFixed(1);
  const extra = a1.rssKiB - b1.rssKiB;
  console.log(`agent-footprint  peers=${PEERS} idle window=${wall.toFixed(1)} s`);
  console.log(
    `RSS   agent ${mib(a1.rssKiB)} MiB   bare node ${mib(b1.rssKiB)} MiB   ` +
      `agent - bare = ${mib(extra)} MiB (target <= 30)  ${extra <= 30 * 1024 ? "OK" : "OVER"}`,
  );
  const own = a1.own - a0.own;
  const withChildren = own + a1.children - a0.children + live;
  console.log(
    `CPU   agent ${pct(own)}% of a core (with its children ${pct(withChildren)}%: ` +
      `reaped ${pct(a1.children - a0.children)}%, long-lived ${pct(live)}%)   ` +
      `bare node ${pct(b1.own - b0.own)}%   (target <= 0.5%)  ${Number(pct(withChildren)) <= 0.5 ? "OK" : "OVER"}`,
  );
}

await main();
