// @ts-check
// Traffic that records every connection's outcome, for the policy-swap test and benchmark
// (testing/swap-traffic.ts). One process per lab host, run inside the host's namespace:
//   node swap-traffic.js PLAN_JSON
// PLAN_JSON: {host, echo: [port…], flows: [Flow…], long: [Long…]} (types below).
// Protocol on stdio, one line each:
//   out "listening"  the echo ports are bound
//   in  "start"      open the long-lived connections, then start the flows
//   out "started"    every long-lived connection is open
//   in  "stop"       start nothing new, let attempts in flight end, close the long-lived ones
//   out RESULT_JSON  {host, records: [[flow, t0, t1, tConnect, tEnd, outcome]…], long: […],
//                     late: [[flow, scheduledAt]…]}, then the process exits
// Times are Date.now() (the clock the test reads too). t0 is taken right before connect(); t1
// in the next tick, after Node issued the connect() system call, so the SYN (or the datagram)
// left between t0 and t1. tConnect is -1 when the connection never completed.
//
// Outcomes:
//   ok           TCP: connected, read the host server's line and its end; UDP: the echo came back
//   timeout      no handshake (TCP) or echo (UDP) within timeoutMs: a silent drop
//   stalled      TCP connected, but the answer did not complete within answerMs after that
//   refused      TCP reset to the SYN, or an ICMP error to the datagram
//   reset        TCP reset (or broken pipe) after the connection was open
//   denied       the local kernel refused to send (EPERM/EACCES: an nft drop in the output hook)
//   unreachable  no route / host unreachable
//   error:CODE   anything else
// A long-lived connection sends "p<n>\n" every pingMs to an echo port (served here with `echo`)
// and expects each line back; it reports pings sent and echoed, the slowest echo, echoes slower
// than LATE_MS (TCP repaired a loss: its minimum retransmission timeout is 200 ms) and, if it
// broke before "stop", when and how.
import { createSocket } from "node:dgram";
import { createServer, connect as tcpConnect } from "node:net";
import { createInterface } from "node:readline";

/** @typedef {{id: number, proto: "tcp"|"udp", address: string, port: number, everyMs: number, timeoutMs: number, answerMs: number, maxInFlight: number}} Flow */
/** @typedef {{id: number, address: string, port: number, count: number, pingMs: number}} Long */
/** @typedef {{host: string, echo: number[], flows: Flow[], long: Long[]}} Plan */
/** @typedef {[number, number, number, number, number, string]} ConnRecord */

const LATE_MS = 150;
const BANNER = "microseg-lab ";

/** @type {Plan} */
const plan = JSON.parse(process.argv[2] ?? "{}");
/** @type {ConnRecord[]} */
const records = [];
/** Attempts that were due while the flow had maxInFlight attempts open: [flow, due at]. */
/** @type {[number, number][]} */
const late = [];
/** @type {ReturnType<typeof openLong>[]} */
const longs = [];
/** @type {NodeJS.Timeout[]} */
const timers = [];
let inFlight = 0;
let stopping = false;

/** @param {unknown} e @returns {string} */
function outcomeOf(e) {
  const code = /** @type {{code?: string}} */ (e)?.code ?? "";
  if (code === "ECONNREFUSED") return "refused";
  if (code === "ECONNRESET" || code === "EPIPE") return "reset";
  if (code === "EPERM" || code === "EACCES") return "denied";
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH") return "unreachable";
  if (code === "ETIMEDOUT") return "timeout";
  return `error:${code || "unknown"}`;
}

/** @param {Flow} f @param {(r: ConnRecord) => void} done */
function tryTcp(f, done) {
  const t0 = Date.now();
  let t1 = t0;
  let tc = -1;
  let answer = "";
  let over = false;
  const socket = tcpConnect({ host: f.address, port: f.port });
  process.nextTick(() => {
    t1 = Date.now();
  });
  const finish = (/** @type {string} */ outcome) => {
    if (over) return;
    over = true;
    clearTimeout(timer);
    socket.destroy();
    done([f.id, t0, t1, tc, Date.now(), outcome]);
  };
  let timer = setTimeout(() => finish("timeout"), f.timeoutMs);
  socket.on("connect", () => {
    tc = Date.now();
    // The handshake is done (the verdict is in); the answer gets its own, longer, bound.
    clearTimeout(timer);
    timer = setTimeout(() => finish("stalled"), f.answerMs);
  });
  socket.on("data", (d) => {
    answer += d.toString();
  });
  socket.on("end", () => finish(answer.startsWith(BANNER) ? "ok" : "error:short-answer"));
  socket.on("error", (e) => finish(tc < 0 ? outcomeOf(e) : "reset"));
}

/** @param {Flow} f @param {(r: ConnRecord) => void} done */
function tryUdp(f, done) {
  const t0 = Date.now();
  let t1 = t0;
  let over = false;
  const payload = Buffer.from(`swap ${plan.host} ${f.id} ${t0} ${Math.random()}`);
  const socket = createSocket(f.address.includes(":") ? "udp6" : "udp4");
  const finish = (/** @type {string} */ outcome) => {
    if (over) return;
    over = true;
    clearTimeout(timer);
    socket.close();
    done([f.id, t0, t1, -1, Date.now(), outcome]);
  };
  const timer = setTimeout(() => finish("timeout"), f.timeoutMs);
  socket.on("message", (msg) => {
    if (msg.equals(payload)) finish("ok");
  });
  socket.on("error", (e) => finish(outcomeOf(e)));
  // Connected, so an ICMP error comes back as ECONNREFUSED instead of being lost.
  socket.connect(f.port, f.address, () => {
    socket.send(payload, (e) => {
      t1 = Date.now();
      if (e) finish(outcomeOf(e));
    });
  });
}

/** @param {Flow} f */
function runFlow(f) {
  let open = 0;
  const attempt = f.proto === "tcp" ? tryTcp : tryUdp;
  const tick = () => {
    if (stopping) return;
    if (open >= f.maxInFlight) {
      late.push([f.id, Date.now()]);
      return;
    }
    open++;
    inFlight++;
    attempt(f, (r) => {
      open--;
      inFlight--;
      records.push(r);
    });
  };
  // Spread the flows' first attempts over one period so they do not tick in step.
  timers.push(
    setTimeout(() => timers.push(setInterval(tick, f.everyMs)), Math.random() * f.everyMs),
  );
}

/** @param {Long} l @param {number} index */
function openLong(l, index) {
  const state = {
    flow: l.id,
    index,
    opened: -1,
    sent: 0,
    echoed: 0,
    maxRttMs: 0,
    /** @type {number[]} send times of echoes slower than LATE_MS */
    lateAt: [],
    /** @type {{at: number, why: string} | null} */
    broke: null,
  };
  /** @type {Map<number, number>} */
  const pending = new Map();
  let buffer = "";
  let ticker = /** @type {NodeJS.Timeout | undefined} */ (undefined);
  const socket = tcpConnect({ host: l.address, port: l.port });
  const ready = new Promise((resolve, reject) => {
    socket.once("connect", () => {
      state.opened = Date.now();
      ticker = setInterval(() => {
        state.sent++;
        pending.set(state.sent, Date.now());
        socket.write(`p${state.sent}\n`);
      }, l.pingMs);
      resolve(undefined);
    });
    socket.once("error", reject);
  });
  socket.on("data", (d) => {
    buffer += d.toString();
    for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
      const n = Number(buffer.slice(1, nl));
      buffer = buffer.slice(nl + 1);
      const sentAt = pending.get(n);
      if (sentAt === undefined) continue;
      pending.delete(n);
      state.echoed++;
      const rtt = Date.now() - sentAt;
      state.maxRttMs = Math.max(state.maxRttMs, rtt);
      if (rtt >= LATE_MS) state.lateAt.push(sentAt);
    }
  });
  const broke = (/** @type {string} */ why) => {
    clearInterval(ticker);
    if (!stopping && state.broke === null) state.broke = { at: Date.now(), why };
  };
  socket.on("error", (e) => broke(outcomeOf(e)));
  socket.on("close", () => broke("closed"));
  const close = () =>
    new Promise((resolve) => {
      clearInterval(ticker);
      // The last pings get a moment to come back before the connection ends.
      setTimeout(() => {
        socket.end(() => resolve(undefined));
        setTimeout(resolve, 1000);
      }, 2 * l.pingMs);
    });
  return { state, ready, close };
}

/** @param {number} port */
function serveEcho(port) {
  const server = createServer((socket) => {
    socket.on("error", () => {});
    socket.pipe(socket);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port, host: "::", ipv6Only: false }, () => resolve(undefined));
  });
}

async function start() {
  plan.long.forEach((l) => {
    for (let i = 0; i < l.count; i++) longs.push(openLong(l, i));
  });
  await Promise.all(longs.map((l) => l.ready));
  process.stdout.write("started\n");
  for (const f of plan.flows) runFlow(f);
}

async function stop() {
  stopping = true;
  for (const t of timers) clearTimeout(t);
  const bound = Math.max(0, ...plan.flows.map((f) => f.timeoutMs + f.answerMs)) + 1000;
  const until = Date.now() + bound;
  while (inFlight > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  await Promise.all(longs.map((l) => l.close()));
  const long = longs.map((l) => l.state);
  const result = JSON.stringify({ host: plan.host, records, long, late, inFlight });
  // exit only once the line is out: a large write to a socket pair is asynchronous
  process.stdout.write(`${result}\n`, () => process.exit(0));
}

const fail = (/** @type {unknown} */ e) => {
  process.stderr.write(`swap-traffic ${plan.host}: ${e instanceof Error ? e.message : e}\n`);
  process.exit(1);
};

createInterface({ input: process.stdin }).on("line", (line) => {
  if (line === "start") start().catch(fail);
  else if (line === "stop") stop().catch(fail);
});
// The test's end of stdin closing means the test is gone: do not outlive it.
process.stdin.on("end", () => process.exit(0));
Promise.all((plan.echo ?? []).map(serveEcho)).then(() => process.stdout.write("listening\n"), fail);
