// Real traffic between namespaces: a TCP server on some ports plus a UDP echo (dual stack), and
// one-shot probes with bounded timeouts. Everything runs as `node -e` inside the namespace.

import type { ChildProcess } from "node:child_process";
import { run } from "../driver/exec.js";
import type { Netns } from "./netns.js";

const SERVER = `
const net = require("node:net"), dgram = require("node:dgram");
const [tcp, udp] = JSON.parse(process.argv[1]);
let pending = tcp.length + (udp ? 2 : 0);
const up = () => { if (--pending === 0) console.log("ready"); };
for (const port of tcp) net.createServer((s) => { s.on("error", () => {}); s.end("hi\\n"); })
  .listen({ port, host: "::", ipv6Only: false }, up);
if (udp) for (const type of ["udp4", "udp6"]) {
  const sock = dgram.createSocket(type === "udp6" ? { type, ipv6Only: true } : { type });
  sock.on("message", (m, r) => sock.send(m, r.port, r.address));
  sock.bind(udp, type === "udp4" ? "0.0.0.0" : "::", up);
}`;

const TCP_PROBE = `
const [host, port, ms, from] = process.argv.slice(1);
const s = require("node:net").connect({ host, port: Number(port), localAddress: from || undefined });
const t = setTimeout(() => { console.log("timeout"); process.exit(1); }, Number(ms));
s.on("connect", () => { clearTimeout(t); console.log("connected"); s.destroy(); process.exit(0); });
s.on("error", (e) => { console.log(e.code); process.exit(2); });`;

const UDP_PROBE = `
const [host, port, ms, from] = process.argv.slice(1);
const s = require("node:dgram").createSocket(host.includes(":") ? "udp6" : "udp4");
if (from) s.bind(0, from);
setTimeout(() => { console.log("timeout"); process.exit(1); }, Number(ms));
s.on("message", () => { console.log("echo"); process.exit(0); });
s.send("ping", Number(port), host);`;

export interface Servers {
  readonly process: ChildProcess;
  stop(): void;
}

export function startServers(
  ns: Netns,
  tcpPorts: readonly number[],
  udpPort?: number,
): Promise<Servers> {
  const child = ns.spawn(process.execPath, [
    "-e",
    SERVER,
    JSON.stringify([tcpPorts, udpPort ?? 0]),
  ]);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("servers did not start in 5 s")), 5_000);
    child.stdout?.on("data", (b: Buffer) => {
      if (!b.toString().includes("ready")) return;
      clearTimeout(timer);
      resolve({ process: child, stop: () => child.kill("SIGKILL") });
    });
    child.on("exit", (code) => reject(new Error(`servers exited with ${code}`)));
  });
}

export interface ProbeOptions {
  /** Give up after this many milliseconds; default 1000. */
  readonly ms?: number;
  /** Source address to use (one of the namespace's own). */
  readonly from?: string;
}

async function probe(ns: Netns, script: string, host: string, port: number, o: ProbeOptions) {
  const ms = o.ms ?? 1_000;
  const argv = [process.execPath, "-e", script, host, String(port), String(ms), o.from ?? ""];
  const res = await run("ip", ["netns", "exec", ns.name, ...argv], undefined, ms + 5_000);
  return res.code === 0;
}

/** true when a TCP connection to host:port is established in time. */
export function probeTcp(
  ns: Netns,
  host: string,
  port: number,
  o: ProbeOptions = {},
): Promise<boolean> {
  return probe(ns, TCP_PROBE, host, port, o);
}

/** true when a UDP datagram to host:port is echoed in time. */
export function probeUdp(
  ns: Netns,
  host: string,
  port: number,
  o: ProbeOptions = {},
): Promise<boolean> {
  return probe(ns, UDP_PROBE, host, port, o);
}
