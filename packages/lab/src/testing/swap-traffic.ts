// Runs the policy-swap traffic: one programs/swap-traffic.js per lab host that sends or serves
// some of it, inside the host's namespace; and reads each namespace's TCP retransmission
// counters, the kernel's own count of packets that TCP had to send again.
//
//   startSwapTraffic ──spawn──> ip netns exec NS node swap-traffic.js PLAN   (per host)
//        "listening" from all ──"start"──> long-lived connections open ──"started" from all
//   stop() ──"stop"──> attempts in flight end ──> one JSON line per host: records, long, late
//
// Processes run inside lab namespaces, so `lab down` ends them too if the test dies.
import { fileURLToPath } from "node:url";
import type { LabState } from "../state.js";
import { runOk } from "../sys/run.js";
import { type LineProcess, spawnLines } from "./line-process.js";
import type { ConnRecord, LongResult } from "./swap-judge.js";
import {
  ALLOWED_TIMEOUT_MS,
  DENIED_TIMEOUT_MS,
  type LongFlow,
  type SwapFlow,
} from "./swap-plan.js";

export const SWAP_TRAFFIC_PROGRAM = fileURLToPath(
  new URL("../programs/swap-traffic.js", import.meta.url),
);
const START_TIMEOUT_MS = 10_000;

export interface TrafficResult {
  readonly records: ConnRecord[];
  readonly long: LongResult[];
  /** Attempts that were due while their flow had its maximum in flight (the load fell behind). */
  readonly late: number;
}

export interface SwapTraffic {
  stop(): Promise<TrafficResult>;
  /** Ends every traffic process at once (cleanup after a failure). */
  kill(): void;
}

interface HostPlan {
  host: string;
  echo: number[];
  flows: {
    id: number;
    proto: string;
    address: string;
    port: number;
    everyMs: number;
    timeoutMs: number;
    answerMs: number;
    maxInFlight: number;
  }[];
  long: { id: number; address: string; port: number; count: number; pingMs: number }[];
}

/** Each host's part of the traffic (flow ids are indexes into `flows` and `longs`). */
export function hostPlans(
  state: Pick<LabState, "hosts">,
  flows: readonly SwapFlow[],
  longs: readonly LongFlow[],
): HostPlan[] {
  const address = (name: string) => {
    const h = state.hosts.find((x) => x.name === name);
    if (h === undefined) throw new Error(`the lab has no host ${name}`);
    return h.address;
  };
  const plans = new Map<string, HostPlan>();
  const of = (host: string) => {
    address(host);
    let p = plans.get(host);
    if (p === undefined) {
      p = { host, echo: [], flows: [], long: [] };
      plans.set(host, p);
    }
    return p;
  };
  flows.forEach((f, id) => {
    const [proto = "", port = ""] = f.port.split("/");
    const timeoutMs = f.class === "allowed" ? ALLOWED_TIMEOUT_MS : DENIED_TIMEOUT_MS;
    const maxInFlight = Math.ceil(timeoutMs / f.everyMs) + 2;
    const base = { id, proto, address: address(f.to), port: Number(port), everyMs: f.everyMs };
    of(f.from).flows.push({ ...base, timeoutMs, answerMs: ALLOWED_TIMEOUT_MS, maxInFlight });
  });
  longs.forEach((l, id) => {
    const server = of(l.to);
    if (!server.echo.includes(l.port)) server.echo.push(l.port);
    of(l.from).long.push({ id, address: address(l.to), ...pick(l) });
  });
  return [...plans.values()];
}

function pick(l: LongFlow) {
  return { port: l.port, count: l.count, pingMs: l.pingMs };
}

export async function startSwapTraffic(
  state: Pick<LabState, "hosts">,
  flows: readonly SwapFlow[],
  longs: readonly LongFlow[],
): Promise<SwapTraffic> {
  const netns = new Map(state.hosts.map((h) => [h.name, h.netns]));
  const procs = hostPlans(state, flows, longs).map((p) => spawnHost(p, netns.get(p.host) ?? ""));
  const kill = () => {
    for (const p of procs) p.child.kill("SIGKILL");
  };
  try {
    await Promise.all(procs.map((p) => p.next("listening", START_TIMEOUT_MS)));
    for (const p of procs) p.send("start");
    await Promise.all(procs.map((p) => p.next("started", START_TIMEOUT_MS)));
  } catch (e) {
    kill();
    throw e;
  }
  const bound = 2 * ALLOWED_TIMEOUT_MS + 15_000;
  return {
    kill,
    async stop() {
      for (const p of procs) p.send("stop");
      const results = await Promise.all(procs.map((p) => p.next("{", bound)));
      for (const p of procs) p.child.stdin?.end();
      const parsed = results.map(
        (line) =>
          JSON.parse(line) as { records: ConnRecord[]; long: LongResult[]; late: unknown[] },
      );
      return {
        records: parsed.flatMap((r) => r.records),
        long: parsed.flatMap((r) => r.long),
        late: parsed.reduce((n, r) => n + r.late.length, 0),
      };
    },
  };
}

function spawnHost(plan: HostPlan, netns: string): LineProcess {
  const args = [
    "netns",
    "exec",
    netns,
    process.execPath,
    SWAP_TRAFFIC_PROGRAM,
    JSON.stringify(plan),
  ];
  return spawnLines("ip", args, `swap traffic of ${plan.host}`);
}

export interface TcpCounters {
  /** Tcp RetransSegs: every segment sent again (SYN, data, FIN, loss probes). */
  readonly retransSegs: number;
  /** TcpExt TCPSynRetrans: SYN and SYN-ACK retransmissions. */
  readonly synRetrans: number;
  /** TcpExt TCPLossProbes: tail loss probes. */
  readonly lossProbes: number;
}

/** The TCP counters of a network namespace (its own /proc/net/snmp and /proc/net/netstat). */
export async function tcpCounters(netns: string): Promise<TcpCounters> {
  const text = await runOk("ip", [
    "netns",
    "exec",
    netns,
    "cat",
    "/proc/net/snmp",
    "/proc/net/netstat",
  ]);
  const tcp = counterTable(text, "Tcp");
  const ext = counterTable(text, "TcpExt");
  return {
    retransSegs: tcp.get("RetransSegs") ?? 0,
    synRetrans: ext.get("TCPSynRetrans") ?? 0,
    lossProbes: ext.get("TCPLossProbes") ?? 0,
  };
}

/** `Name: k1 k2…` followed by `Name: v1 v2…`, as /proc/net/snmp and netstat write them. */
export function counterTable(text: string, name: string): Map<string, number> {
  const rows = text.split("\n").filter((l) => l.startsWith(`${name}: `));
  const keys = rows[0]?.split(/\s+/).slice(1) ?? [];
  const values = rows[1]?.split(/\s+/).slice(1) ?? [];
  return new Map(keys.map((k, i) => [k, Number(values[i] ?? 0)]));
}

export function counterDelta(before: TcpCounters, after: TcpCounters): TcpCounters {
  return {
    retransSegs: after.retransSegs - before.retransSegs,
    synRetrans: after.synRetrans - before.synRetrans,
    lossProbes: after.lossProbes - before.lossProbes,
  };
}
