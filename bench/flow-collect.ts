// Benchmark: the agent's flow collector under a burst of new connections.
//   node --import tsx bench/flow-collect.ts [--rate=20000] [--seconds=8] [--senders=2]
//                                           [--buffer-mib=32] [--traffic=udp|tcp]
// Two throwaway namespaces on a veth pair. The server applies an enforce RuleSet with the real
// driver, and the client makes rate x seconds new connections, paced, from python3 loops
// (`--senders` processes in parallel):
//   udp  (default) one datagram to each of rate x seconds distinct (source port, destination
//        port) pairs (the server allows UDP to ports 1024-65535 and answers none): every
//        datagram is a new conntrack entry and, the ports differing, its own flow record
//   tcp  a TCP connection to the server's listening port 80, closed with a reset at once (no
//        TIME_WAIT, so source ports do not run out); each is answered (SYN/ACK), so each has
//        state changes after its NEW. Use a lower --rate (a python3 loop connects ~3,000/s).
//   baseline   same traffic, a bare `conntrack -E -e NEW` in the server namespace counting lines
//   collector  same traffic, the real collector (startFlowCollection: conntrack feed, nft reads,
//              aggregation, on-disk buffer, sender to an in-process sink) in the server namespace
// Reported: achieved rate, connections seen (sum of `allowed` counts) vs made, loss absolute and
// %, what the collector itself reported as dropped, the NEW events it recovered from table dumps
// after overruns (and how many dumps), the event lines the listener read, and CPU (ms and % of a
// core) of the listener (conntrack -E child) and of the collector (this process + its nft and
// conntrack -L children), per run, and the collector's CPU per connection made; then what the
// collector said the network answered (outcomes: udp is unanswered, tcp established).

import type { ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { NftDriver } from "@microseg/nft";
import type { FlowBatch } from "@microseg/protocol/agent";
import { startFlowCollection } from "../packages/agent/src/flows/index.js";
import { serverRuleSet, udpServerRuleSet } from "../packages/agent/src/testing/rulesets.js";
import {
  createNetns,
  joinNamespaces,
  type Netns,
  startServers,
} from "../packages/nft/src/testing/index.js";

const arg = (n: string, d: string) =>
  process.argv.find((a) => a.startsWith(`--${n}=`))?.slice(n.length + 3) ?? d;
const RATE = Number(arg("rate", "20000"));
const SECONDS = Number(arg("seconds", "8"));
const SENDERS = Number(arg("senders", "2"));
/** conntrack -b for both runs (the kernel doubles it). */
const BUFFER = Number(arg("buffer-mib", "32")) * 1024 * 1024;
const TRAFFIC = arg("traffic", "udp") === "tcp" ? "tcp" : "udp";
const TICK_MS = 10; // USER_HZ 100

// One sender: its share of the datagrams, paced; a fresh socket (new source port) every 60,000
// destination ports so every (sport, dport) pair is new. Prints "sent seconds".
const SENDER = `
import socket, sys, time
dst, total, rate = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sent, port, start = 0, 1024, time.time()
while sent < total:
    for _ in range(min(500, total - sent)):
        sock.sendto(b"x", (dst, port))
        port += 1
        if port > 61023:
            port = 1024
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sent += 1
    ahead = sent / rate - (time.time() - start)
    if ahead > 0:
        time.sleep(ahead)
print(sent, time.time() - start)
`;

// The TCP sender: connect to port 80 and close with a reset (SO_LINGER 0), paced.
const TCP_SENDER = `
import socket, struct, sys, time
dst, total, rate = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
linger = struct.pack("ii", 1, 0)
sent, start = 0, time.time()
while sent < total:
    for _ in range(min(100, total - sent)):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
        s.settimeout(2)
        try:
            s.connect((dst, 80))
        except OSError:
            pass
        s.close()
        sent += 1
    ahead = sent / rate - (time.time() - start)
    if ahead > 0:
        time.sleep(ahead)
print(sent, time.time() - start)
`;

const serverPolicy =
  TRAFFIC === "tcp"
    ? serverRuleSet({ v4: ["198.18.0.2/32"], v6: [] }, [80], "bench-server")
    : udpServerRuleSet("198.18.0.2", "bench-server");

/** utime+stime (+ reaped children's) of a process, in ms. */
async function cpuMs(pid: number | "self", children = false): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  const f = stat
    .slice(stat.lastIndexOf(")") + 2)
    .split(" ")
    .map(Number);
  const ticks = (f[11] ?? 0) + (f[12] ?? 0) + (children ? (f[13] ?? 0) + (f[14] ?? 0) : 0);
  return ticks * TICK_MS;
}

async function send(client: Netns): Promise<{ sent: number; seconds: number }> {
  const total = RATE * SECONDS;
  const share = Math.ceil(total / SENDERS);
  const runs = Array.from({ length: SENDERS }, () =>
    client.exec(
      "python3",
      [
        "-c",
        TRAFFIC === "tcp" ? TCP_SENDER : SENDER,
        "198.18.0.1",
        String(share),
        String(RATE / SENDERS),
      ],
      (SECONDS + 60) * 1000,
    ),
  );
  const outs = await Promise.all(runs);
  const parsed = outs.map((o) => o.trim().split(" ").map(Number));
  return {
    sent: parsed.reduce((n, [s]) => n + (s ?? 0), 0),
    seconds: Math.max(...parsed.map(([, t]) => t ?? 0)),
  };
}

const SETTLE_MS = 2000;
/** After the collector's last connection: its hold (3 s), then the dump and loss settle. */
const COLLECTOR_SETTLE_MS = 3000 + 2 * SETTLE_MS;
const settle = (ms = SETTLE_MS) => new Promise((r) => setTimeout(r, ms));

interface RunResult {
  sent: number;
  seconds: number;
  seen: number;
  dropped: number;
  listenerMs: number;
  collectorMs: number;
  recovered: number;
  resyncs: number;
  /** Lines the listener read (baseline: NEW events only). */
  events: number;
  /** Seen connections per outcome (collector). */
  outcomes: Record<string, number>;
}

async function baseline(server: Netns, client: Netns): Promise<RunResult> {
  const child: ChildProcess = server.spawn("conntrack", ["-E", "-e", "NEW", "-b", String(BUFFER)]);
  let seen = 0;
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (l) => {
    if (l.includes(TRAFFIC) && l.includes("dst=198.18.0.1")) seen += 1;
  });
  await new Promise((r) => setTimeout(r, 500));
  const { sent, seconds } = await send(client);
  await settle();
  const listenerMs = await cpuMs(child.pid ?? 0);
  child.kill();
  return {
    sent,
    seconds,
    seen,
    dropped: 0,
    listenerMs,
    collectorMs: 0,
    recovered: 0,
    resyncs: 0,
    events: seen,
    outcomes: {},
  };
}

async function collector(server: Netns, client: Netns, stateDir: string): Promise<RunResult> {
  let seen = 0;
  let dropped = 0;
  const outcomes: Record<string, number> = {};
  const flows = await startFlowCollection({
    stateDir,
    netns: server.name,
    conntrackBufferBytes: BUFFER,
    localAddresses: () => new Set(["198.18.0.1"]),
    send: () => async (batch: FlowBatch) => {
      for (const r of batch.records) {
        if (r[5] !== "allowed" || r[1] !== TRAFFIC) continue;
        seen += r[6];
        const k = r[11] ?? "established";
        outcomes[k] = (outcomes[k] ?? 0) + r[6];
      }
      dropped += batch.dropped ?? 0;
      return { seq: batch.seq, duplicate: false };
    },
    log: {
      debug() {},
      info() {},
      warn: (o, m) => console.error(m, o),
      error: (o, m) => console.error(m, o),
    },
  });
  await new Promise((r) => setTimeout(r, 1000));
  const conntrackPid = Number(
    (await readFile(`/proc/${process.pid}/task/${process.pid}/children`, "utf8"))
      .trim()
      .split(/\s+/)[0],
  );
  const cpu0 = process.cpuUsage();
  const reaped0 = (await cpuMs("self", true)) - (await cpuMs("self"));
  const listener0 = await cpuMs(conntrackPid);
  const { sent, seconds } = await send(client);
  await settle(COLLECTOR_SETTLE_MS); // holds resolve, the last dump finishes, its loss settles
  const own = process.cpuUsage(cpu0);
  const reaped = (await cpuMs("self", true)) - (await cpuMs("self")) - reaped0;
  const listenerMs = (await cpuMs(conntrackPid)) - listener0;
  const { recovered, resyncs, events } = flows.conntrackStats();
  await flows.stop();
  const collectorMs = (own.user + own.system) / 1000 + reaped;
  return {
    sent,
    seconds,
    seen,
    dropped,
    listenerMs,
    collectorMs,
    recovered,
    resyncs,
    events,
    outcomes,
  };
}

function report(name: string, r: RunResult, wallS: number): string {
  const lost = r.sent - r.seen;
  const pct = (ms: number) => `${((ms / (wallS * 1000)) * 100).toFixed(1)}%`;
  return [
    name.padEnd(10),
    `${Math.round(r.sent / r.seconds).toLocaleString("en")}/s`.padStart(9),
    `${r.seen.toLocaleString("en")} / ${r.sent.toLocaleString("en")}`.padStart(19),
    `${lost.toLocaleString("en")} (${((lost / r.sent) * 100).toFixed(2)}%)`.padStart(16),
    String(r.dropped).padStart(8),
    `${r.listenerMs} ms (${pct(r.listenerMs)})`.padStart(17),
    `${Math.round(r.collectorMs)} ms (${pct(r.collectorMs)})`.padStart(17),
    `${r.recovered.toLocaleString("en")} (${r.resyncs} dumps)`.padStart(18),
    r.events.toLocaleString("en").padStart(9),
    `${((r.collectorMs * 1000) / r.sent).toFixed(1)} µs`.padStart(9),
  ].join(" | ");
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "mseg-flow-bench-"));
  const server = await createNetns("mseg-flowb");
  const client = await createNetns("mseg-flowb");
  try {
    await joinNamespaces(server, client);
    await new NftDriver({ netns: server.name }).apply(serverPolicy);
    const servers = TRAFFIC === "tcp" ? await startServers(server, [80]) : undefined;
    console.log(
      `${(RATE * SECONDS).toLocaleString("en")} new ${TRAFFIC.toUpperCase()} connections at ${RATE.toLocaleString("en")}/s target, ${SENDERS} python3 senders`,
    );
    const base = await baseline(server, client);
    await server.exec("conntrack", ["-F"]).catch(() => "");
    const coll = await collector(server, client, join(dir, "state"));
    const wall = (r: RunResult) =>
      r.seconds + (r === coll ? COLLECTOR_SETTLE_MS : SETTLE_MS) / 1000;
    console.log(
      "run        | achieved  | seen / made         | lost (%)         | dropped | listener CPU      | collector CPU     | recovered          | events    | CPU/conn",
    );
    console.log(report("baseline", base, wall(base)));
    console.log(report("collector", coll, wall(coll)));
    const ratio = (coll.listenerMs + coll.collectorMs) / Math.max(1, base.listenerMs);
    console.log(`collector total CPU / baseline listener CPU: ${ratio.toFixed(1)}x`);
    console.log(`collector outcomes: ${JSON.stringify(coll.outcomes)}`);
    servers?.stop();
  } finally {
    await server.exec("conntrack", ["-F"]).catch(() => "");
    await server.delete();
    await client.delete();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
