// @ts-check
// The lab's per-host process, run inside the host's network namespace:
//   node host-agent.js HOST CONTROL_SOCKET tcp/80 udp/53 …
// - serves: every TCP port accepts and answers one line; every UDP port echoes what it gets.
//   Sockets listen on [::] dual-stack, so IPv4 and IPv6 reach the same socket.
// - probes: on CONTROL_SOCKET (a Unix socket; those are not bound to a network namespace) it
//   takes one JSON line {"timeoutMs":1000,"targets":[…]} and answers one JSON line of verdicts,
//   so `lab probe` needs no process start per host (see probe-lib.js for what a verdict means).
// When everything is bound, "ready\n" is written to fd 3 (if the parent passed one), then fd 3
// is closed. SIGTERM ends it.
import { createSocket } from "node:dgram";
import { closeSync, rmSync, writeSync } from "node:fs";
import { createServer } from "node:net";
import { probeAll } from "./probe-lib.js";

const [host = "?", control = "", ...ports] = process.argv.slice(2);

/** @param {string} text @returns {never} */
function fail(text) {
  process.stderr.write(`host-agent ${host}: ${text}\n`);
  process.exit(1);
}

/** @param {import("node:net").Server} server @param {object} where @returns {Promise<void>} */
function listen(server, where) {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(where, () => resolve());
  });
}

/** @param {number} port */
function serveTcp(port) {
  const server = createServer((socket) => {
    socket.on("error", () => {});
    socket.end(`microseg-lab ${host} tcp/${port}\n`);
  });
  return listen(server, { port, host: "::", ipv6Only: false });
}

/** @param {number} port @returns {Promise<void>} */
function serveUdp(port) {
  const socket = createSocket({ type: "udp6", ipv6Only: false });
  socket.on("message", (msg, rinfo) => {
    socket.send(msg, rinfo.port, rinfo.address, () => {});
  });
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(port, "::", () => resolve());
  });
}

function serveControl() {
  rmSync(control, { force: true });
  // allowHalfOpen: the client half-closes after its request and still reads the answer.
  const server = createServer({ allowHalfOpen: true }, (conn) => {
    let input = "";
    conn.on("error", () => {});
    conn.on("data", async (chunk) => {
      input += chunk.toString();
      if (!input.includes("\n")) return;
      try {
        const { timeoutMs, targets } = JSON.parse(input);
        const verdicts = await probeAll(targets, Math.min(Number(timeoutMs) || 1000, 10_000));
        conn.end(`${JSON.stringify(verdicts)}\n`);
      } catch (err) {
        conn.end(`${JSON.stringify({ error: String(err) })}\n`);
      }
    });
  });
  return listen(server, { path: control });
}

function signalReady() {
  try {
    writeSync(3, "ready\n");
    closeSync(3);
  } catch {
    // started by hand, without a readiness pipe
  }
}

const quit = () => {
  rmSync(control, { force: true });
  process.exit(0);
};
process.on("SIGTERM", quit);
process.on("SIGINT", quit);

if (control === "") fail("usage: host-agent.js HOST CONTROL_SOCKET [PROTO/PORT…]");
const servers = ports.map((spec) => {
  const [proto, text] = spec.split("/");
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`bad port "${spec}"`);
  if (proto === "tcp") return serveTcp(port);
  if (proto === "udp") return serveUdp(port);
  return fail(`bad protocol in "${spec}"`);
});
Promise.all([...servers, serveControl()]).then(
  () => {
    process.stdout.write(`host-agent ${host}: listening on ${ports.join(" ") || "no ports"}\n`);
    signalReady();
  },
  (err) => fail(`cannot listen: ${err.message}`),
);
