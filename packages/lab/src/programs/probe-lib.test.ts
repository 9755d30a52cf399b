// The prober's verdicts on real loopback sockets: an answer that arrived before the deadline
// counts even when the process was too busy to read it in time (a host server among a hundred
// busy processes on two cores), and silence is still blocked.
import { type ChildProcess, spawn } from "node:child_process";
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { createServer, type Server } from "node:net";
import { afterAll, describe, expect, it } from "vitest";

type Target = { address: string; proto: "tcp" | "udp"; port: number };
type Probe = (t: Target, timeoutMs: number) => Promise<"allowed" | "blocked">;
// Loaded by URL: the program is plain JavaScript, checked in the lab's own build only.
const { probeTcp, probeUdp } = (await import(new URL("./probe-lib.js", import.meta.url).href)) as {
  probeTcp: Probe;
  probeUdp: Probe;
};

const open: (Server | UdpSocket)[] = [];
const children: ChildProcess[] = [];
afterAll(() => {
  for (const s of open) s.close();
  for (const c of children) c.kill();
});

function tcpServer(): Promise<number> {
  const server = createServer((s) => {
    s.on("error", () => {}); // the prober resets the connection once it has its verdict
    s.end("hello\n");
  });
  open.push(server);
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)),
  );
}

function udpSilent(): Promise<number> {
  const socket = createSocket("udp4");
  open.push(socket);
  return new Promise((resolve) =>
    socket.bind(0, "127.0.0.1", () => resolve(socket.address().port)),
  );
}

/**
 * A UDP echo server in its own process, so it answers while this one is busy; resolves to its
 * port once it is bound.
 */
function udpEchoProcess(): Promise<number> {
  const code = `const s = require("node:dgram").createSocket("udp4");
    s.on("message", (m, r) => s.send(m, r.port, r.address));
    s.bind(0, "127.0.0.1", () => console.log(s.address().port));`;
  const child = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout?.once("data", (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once("exit", (c) => reject(new Error(`the echo process exited (${c})`)));
  });
}

/** Keeps the event loop from running for `ms` (what a starved process looks like). */
function busy(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // spin
  }
}

const at = (port: number, proto: "tcp" | "udp") => ({ address: "127.0.0.1", proto, port });

describe("probe-lib", () => {
  it("a TCP connection made before the deadline is allowed though the loop ran late", async () => {
    const port = await tcpServer();
    const verdict = probeTcp(at(port, "tcp"), 50);
    // the connect is issued on the next tick; the handshake completes at once on loopback, but
    // the timer is due before the loop gets to read the socket
    setImmediate(() => busy(200));
    expect(await verdict).toBe("allowed");
  });

  it("a UDP echo that came back before the deadline is allowed though the loop ran late", async () => {
    const port = await udpEchoProcess();
    const verdict = probeUdp(at(port, "udp"), 60);
    // the datagram leaves on the next tick; the other process echoes it while this one is busy
    setImmediate(() => busy(200));
    expect(await verdict).toBe("allowed");
  });

  it("silence is blocked: a UDP port that never answers, a TCP port nobody listens on", async () => {
    const mute = await udpSilent();
    expect(await probeUdp(at(mute, "udp"), 100)).toBe("blocked");
    const closed = await tcpServer();
    await new Promise<void>((r) => (open.pop() as Server).close(() => r()));
    expect(await probeTcp(at(closed, "tcp"), 100)).toBe("blocked");
  });
});
