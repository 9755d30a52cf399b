// @ts-check
// The lab's background traffic driver (`microseg lab traffic start`):
//   node lab-traffic.js PLAN_FILE STATUS_FILE
// PLAN_FILE (written by traffic/control.ts): {timeoutMs, untilMs, flows: [{from, to, proto,
// port, everyMs, socket, address}]}. Each flow runs about every `everyMs` (±20 % jitter, the
// same rule as traffic/schedule.ts), first somewhere within its first period: the driver asks
// the source host's server (programs/host-agent.js, over its Unix control socket) to open that
// one connection from inside its namespace, so the traffic is real and comes from the right
// host. Bounded: one attempt per flow in flight, at most MAX_IN_FLIGHT overall, each attempt
// ends after timeoutMs + 2 s, and the driver exits by itself at untilMs.
// Every second it writes STATUS_FILE (temp file + rename): per flow attempts, allowed, blocked,
// last verdict ("error" when the host server did not answer). It runs in the lab's bridge namespace, so `lab down` ends it with the lab.
// "ready\n" goes to fd 3 once the plan is read; SIGTERM writes the status one last time and ends.
import { closeSync, readFileSync, renameSync, writeFileSync, writeSync } from "node:fs";
import { connect } from "node:net";

const JITTER = 0.2;
const MAX_IN_FLIGHT = 64;
const TICK_MS = 50;

const [planFile = "", statusFile = ""] = process.argv.slice(2);
if (planFile === "" || statusFile === "") {
  process.stderr.write("usage: lab-traffic.js PLAN_FILE STATUS_FILE\n");
  process.exit(2);
}

/** @typedef {{from: string, to: string, proto: "tcp"|"udp", port: number, everyMs: number, socket: string, address: string}} Flow */
/** @type {{timeoutMs: number, untilMs: number, flows: Flow[]}} */
const plan = JSON.parse(readFileSync(planFile, "utf8"));
const startedAt = new Date().toISOString();
const counts = plan.flows.map(() => ({
  attempts: 0,
  allowed: 0,
  blocked: 0,
  errors: 0,
  last: "",
  lastAt: "",
}));
const now = Date.now();
const due = plan.flows.map((f) => now + Math.floor(Math.random() * f.everyMs));
const inFlight = new Set();

/** @param {number} everyMs */
function nextWait(everyMs) {
  return Math.max(1, Math.round(everyMs * (1 + JITTER * (2 * Math.random() - 1))));
}

/** @param {Flow} flow @returns {Promise<string>} */
function attempt(flow) {
  return new Promise((resolve) => {
    const conn = connect({ path: flow.socket });
    let answer = "";
    const done = (/** @type {string} */ verdict) => {
      clearTimeout(timer);
      conn.destroy();
      resolve(verdict);
    };
    const timer = setTimeout(() => done("error"), plan.timeoutMs + 2000);
    conn.on("error", () => done("error"));
    conn.on("data", (d) => {
      answer += d.toString();
    });
    conn.on("end", () => {
      try {
        const verdicts = JSON.parse(answer);
        done(Array.isArray(verdicts) ? String(verdicts[0]) : "error");
      } catch {
        done("error");
      }
    });
    const target = { to: flow.to, address: flow.address, proto: flow.proto, port: flow.port };
    conn.end(`${JSON.stringify({ timeoutMs: plan.timeoutMs, targets: [target] })}\n`);
  });
}

function tick() {
  const t = Date.now();
  if (t >= plan.untilMs) return quit();
  plan.flows.forEach((flow, i) => {
    if (t < (due[i] ?? 0) || inFlight.has(i) || inFlight.size >= MAX_IN_FLIGHT) return;
    due[i] = t + nextWait(flow.everyMs);
    inFlight.add(i);
    attempt(flow).then((verdict) => {
      inFlight.delete(i);
      const c = counts[i];
      if (c === undefined) return;
      c.attempts += 1;
      if (verdict === "allowed") c.allowed += 1;
      else if (verdict === "blocked") c.blocked += 1;
      else c.errors += 1;
      c.last = verdict;
      c.lastAt = new Date().toISOString();
    });
  });
}

function writeStatus() {
  const flows = plan.flows.map((f, i) => ({
    from: f.from,
    to: f.to,
    port: `${f.proto}/${f.port}`,
    everyMs: f.everyMs,
    ...counts[i],
  }));
  const status = { pid: process.pid, startedAt, updatedAt: new Date().toISOString(), flows };
  const tmp = `${statusFile}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(status, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, statusFile);
}

function quit() {
  try {
    writeStatus();
  } finally {
    process.exit(0);
  }
}

process.on("SIGTERM", quit);
process.on("SIGINT", quit);
writeStatus();
setInterval(tick, TICK_MS);
setInterval(writeStatus, 1000);
process.stdout.write(`lab-traffic: ${plan.flows.length} flows\n`);
try {
  writeSync(3, "ready\n");
  closeSync(3);
} catch {
  // started by hand, without a readiness pipe
}
