// @ts-check
// Connection attempts for `lab probe`, run by the host agent inside a host's namespace.
//   TCP: allowed when the connection completes; blocked on timeout, refusal or unreachable.
//   UDP: allowed when the echo comes back; the datagram is re-sent twice within the window.
// Every attempt ends after at most `timeoutMs`.
import { createSocket } from "node:dgram";
import { connect } from "node:net";

/** @typedef {{ address: string, proto: "tcp" | "udp", port: number }} Target */
/** @typedef {"allowed" | "blocked"} Verdict */

/** @param {Target} t @param {number} timeoutMs @returns {Promise<Verdict>} */
export function probeTcp(t, timeoutMs) {
  return new Promise((resolve) => {
    const socket = connect({ host: t.address, port: t.port });
    const done = (/** @type {Verdict} */ v) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => done("blocked"), timeoutMs);
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
    timers.push(setTimeout(() => done("blocked"), timeoutMs));
  });
}

/** Tries every target at once; verdicts come back in the targets' order. */
export function probeAll(/** @type {Target[]} */ targets, /** @type {number} */ timeoutMs) {
  return Promise.all(
    targets.map((t) => (t.proto === "tcp" ? probeTcp(t, timeoutMs) : probeUdp(t, timeoutMs))),
  );
}
