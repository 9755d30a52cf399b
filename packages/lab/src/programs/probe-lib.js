// @ts-check
// Connection attempts for `lab probe`, run by the host agent inside a host's namespace.
//   TCP: allowed when the connection completes; blocked on timeout, refusal or unreachable.
//   UDP: allowed when the echo comes back; the datagram is re-sent twice within the window.
// Every attempt ends after at most `timeoutMs` (plus one turn of the event loop, see deadline()).
import { createSocket } from "node:dgram";
import { connect } from "node:net";

/** @typedef {{ address: string, proto: "tcp" | "udp", port: number }} Target */
/** @typedef {"allowed" | "blocked"} Verdict */

/**
 * Runs `expire` once `ms` have passed AND the event loop has read what arrived by then. A timer
 * callback runs before the poll phase of the same loop turn, so in a process that ran late (one
 * host server among a hundred busy processes on two cores) the deadline would fire while a
 * completed handshake or an echo sat unread: `blocked` for a connection the network let
 * through. setImmediate runs after that poll phase, so a late answer still counts; silence does not.
 * @param {number} ms @param {() => void} expire @returns {NodeJS.Timeout}
 */
export function deadline(ms, expire) {
  return setTimeout(() => setImmediate(expire), ms);
}

/** @param {Target} t @param {number} timeoutMs @returns {Promise<Verdict>} */
export function probeTcp(t, timeoutMs) {
  return new Promise((resolve) => {
    const socket = connect({ host: t.address, port: t.port });
    let finished = false;
    const done = (/** @type {Verdict} */ v) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(v);
    };
    const timer = deadline(timeoutMs, () => done("blocked"));
    socket.once("connect", () => done("allowed"));
    socket.once("error", () => done("blocked"));
  });
}

/** @param {Target} t @param {number} timeoutMs @returns {Promise<Verdict>} */
export function probeUdp(t, timeoutMs) {
  return new Promise((resolve) => {
    const socket = createSocket(t.address.includes(":") ? "udp6" : "udp4");
    const payload = Buffer.from(`microseg-lab probe ${t.address} udp/${t.port} ${Math.random()}`);
    /** @type {NodeJS.Timeout[]} */
    const timers = [];
    let finished = false;
    const done = (/** @type {Verdict} */ v) => {
      if (finished) return;
      finished = true;
      for (const timer of timers) clearTimeout(timer);
      socket.close();
      resolve(v);
    };
    const send = () => {
      if (!finished) socket.send(payload, t.port, t.address, () => {});
    };
    socket.on("message", (msg, rinfo) => {
      if (rinfo.port === t.port && msg.equals(payload)) done("allowed");
    });
    socket.once("error", () => done("blocked"));
    send();
    timers.push(setTimeout(send, timeoutMs / 3), setTimeout(send, (2 * timeoutMs) / 3));
    timers.push(deadline(timeoutMs, () => done("blocked")));
  });
}

/** Tries every target at once; verdicts come back in the targets' order. */
export function probeAll(/** @type {Target[]} */ targets, /** @type {number} */ timeoutMs) {
  return Promise.all(
    targets.map((t) => (t.proto === "tcp" ? probeTcp(t, timeoutMs) : probeUdp(t, timeoutMs))),
  );
}
