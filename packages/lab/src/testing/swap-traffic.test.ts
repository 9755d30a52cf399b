// The traffic program's outcomes, on real loopback sockets (no namespace needed), and the pure
// parts of its runner.
import { spawn } from "node:child_process";
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { createServer, type Server } from "node:net";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConnRecord, LongResult } from "./swap-judge.js";
import { counterTable, hostPlans, SWAP_TRAFFIC_PROGRAM } from "./swap-traffic.js";

const servers: (Server | UdpSocket)[] = [];

function tcpServer(onConn: (s: import("node:net").Socket) => void): Promise<number> {
  const server = createServer(onConn);
  servers.push(server);
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)),
  );
}

function udpServer(echo: boolean): Promise<number> {
  const socket = createSocket("udp4");
  servers.push(socket);
  socket.on("message", (m, r) => {
    if (echo) socket.send(m, r.port, r.address);
  });
  return new Promise((resolve) =>
    socket.bind(0, "127.0.0.1", () => resolve(socket.address().port)),
  );
}

/** A port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  const port = await new Promise<number>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)),
  );
  await new Promise((r) => server.close(r));
  return port;
}

interface Run {
  records: ConnRecord[];
  long: LongResult[];
}

/** Runs the program with these flows for `ms`, and answers its result. */
function runProgram(plan: object, ms: number): Promise<Run> {
  const child = spawn(process.execPath, [SWAP_TRAFFIC_PROGRAM, JSON.stringify(plan)]);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    createInterface({ input: child.stdout }).on("line", (line) => {
      if (line === "listening") child.stdin.write("start\n");
      else if (line === "started") setTimeout(() => child.stdin.write("stop\n"), ms);
      else if (line.startsWith("{")) resolve(JSON.parse(line) as Run);
    });
  });
}

const outcomes = (run: Run, flow: number) =>
  [...new Set(run.records.filter((r) => r[0] === flow).map((r) => r[5]))].sort();

describe("programs/swap-traffic.js", () => {
  let run: Run;
  beforeAll(async () => {
    const banner = await tcpServer((s) => s.end("microseg-lab test tcp/1\n"));
    const silent = await tcpServer(() => {});
    const resets = await tcpServer((s) => setTimeout(() => s.resetAndDestroy(), 5));
    const echo = await closedPort();
    const flow = (id: number, proto: string, port: number) => ({
      id,
      proto,
      address: "127.0.0.1",
      port,
      everyMs: 40,
      timeoutMs: 150,
      answerMs: 150,
      maxInFlight: 10,
    });
    const plan = {
      host: "test",
      echo: [echo],
      flows: [
        flow(0, "tcp", banner),
        flow(1, "tcp", await closedPort()),
        flow(2, "tcp", silent),
        flow(3, "tcp", resets),
        flow(4, "udp", await udpServer(true)),
        flow(5, "udp", await udpServer(false)),
        flow(6, "udp", await closedPort()),
      ],
      long: [{ id: 0, address: "127.0.0.1", port: echo, count: 2, pingMs: 20 }],
    };
    run = await runProgram(plan, 600);
  }, 20_000);
  afterAll(() => {
    for (const s of servers) s.close();
  });

  it("tells a completed exchange, a refusal, a silence and a reset apart", () => {
    expect(outcomes(run, 0)).toEqual(["ok"]);
    expect(outcomes(run, 1)).toEqual(["refused"]);
    expect(outcomes(run, 2)).toEqual(["stalled"]);
    expect(outcomes(run, 3)).toEqual(["reset"]);
    expect(outcomes(run, 4)).toEqual(["ok"]);
    expect(outcomes(run, 5)).toEqual(["timeout"]);
    expect(outcomes(run, 6)).toEqual(["refused"]);
  });

  it("records when each attempt's first packet left and when it ended", () => {
    const ok = run.records.filter((r) => r[0] === 0);
    expect(ok.length).toBeGreaterThan(5);
    for (const [, t0, t1, tc, tEnd] of ok) {
      expect(t0).toBeLessThanOrEqual(t1);
      expect(t1).toBeLessThanOrEqual(tc);
      expect(tc).toBeLessThanOrEqual(tEnd);
    }
  });

  it("keeps long-lived connections open and echoing until stopped", () => {
    expect(run.long).toHaveLength(2);
    for (const l of run.long) {
      expect(l.broke).toBeNull();
      expect(l.sent).toBeGreaterThan(10);
      expect(l.echoed).toBe(l.sent);
    }
  });
});

describe("hostPlans", () => {
  const hosts = ["a", "b", "c"].map((name, i) => ({
    name,
    netns: `ns-${name}`,
    address: `198.18.0.${10 + i}`,
    address6: "",
    listen: [],
    managed: true,
    mode: "enforce" as const,
  }));

  it("gives each sender its flows and each echo destination its port", () => {
    const plans = hostPlans(
      { hosts },
      [
        { from: "a", to: "b", port: "tcp/80", class: "allowed", everyMs: 10 },
        { from: "c", to: "a", port: "udp/53", class: "denied", everyMs: 100 },
      ],
      [{ from: "a", to: "c", port: 7000, count: 2, pingMs: 50 }],
    );
    expect(plans.map((p) => [p.host, p.echo, p.flows.map((f) => f.id), p.long.length])).toEqual([
      ["a", [], [0], 1],
      ["c", [7000], [1], 0],
    ]);
    expect(plans[0]?.flows[0]).toMatchObject({ address: "198.18.0.11", timeoutMs: 3000 });
    expect(plans[1]?.flows[0]).toMatchObject({ proto: "udp", port: 53, timeoutMs: 800 });
  });

  it("refuses a flow naming a host the lab does not have", () => {
    const flows = [{ from: "a", to: "z", port: "tcp/1", class: "allowed" as const, everyMs: 1 }];
    expect(() => hostPlans({ hosts }, flows, [])).toThrow("the lab has no host z");
  });
});

it("counterTable reads /proc/net/snmp's header and value lines", () => {
  const text =
    "Ip: Forwarding\nIp: 1\nTcp: RtoMin RetransSegs\nTcp: 200 7\nTcpExt: TCPSynRetrans\nTcpExt: 3\n";
  expect(counterTable(text, "Tcp").get("RetransSegs")).toBe(7);
  expect(counterTable(text, "TcpExt").get("TCPSynRetrans")).toBe(3);
});
