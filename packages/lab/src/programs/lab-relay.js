// @ts-check
// A byte relay of the lab, between network namespaces:
//   node lab-relay.js LISTEN TARGET
// LISTEN and TARGET are each a unix socket path (absolute: starts with "/") or HOST:PORT (TCP;
// [v6]:PORT for an IPv6 literal). Every connection accepted on LISTEN is piped, bytes only (TLS,
// if any, end to end), to a new connection to TARGET.
//
// Where a unix socket is a file, reachable from every namespace, 127.0.0.1 is each namespace's
// own. So the lab joins a TCP service of the root namespace and a process in the controller
// namespace with two relays and a socket file between them:
//
//   store (replica i):  controller ──DIR/store-i/.s.PGSQL.5432──> relay (root) ──TCP──> database
//   bus (each URL):     controller ──TCP 127.0.0.1:P──> relay (in mseg-<lab>.ctl)
//                         ──DIR/bus-k.sock──> relay (root) ──TCP──> nats-server HOST:P
//
// IPC: {listening: true} once LISTEN accepts, then the channel is closed (setsid, detached).
import { rmSync } from "node:fs";
import { connect, createServer } from "node:net";

const [listen = "", target = ""] = process.argv.slice(2);

/** @param {string} text @returns {{path: string} | {host: string, port: number} | undefined} */
function endpoint(text) {
  if (text.startsWith("/")) return { path: text };
  const m = /^\[?([^\]]*)\]?:(\d+)$/.exec(text);
  return m === null || m[1] === "" ? undefined : { host: m[1] ?? "", port: Number(m[2]) };
}

const from = endpoint(listen);
const to = endpoint(target);
if (from === undefined || to === undefined) {
  process.stderr.write("usage: lab-relay.js LISTEN TARGET (each /socket/path or HOST:PORT)\n");
  process.exit(1);
}

const server = createServer((client) => {
  const upstream = "path" in to ? connect(to.path) : connect(to.port, to.host);
  const end = () => {
    client.destroy();
    upstream.destroy();
  };
  for (const s of [client, upstream]) {
    s.on("error", end);
    s.on("close", end);
  }
  client.pipe(upstream).pipe(client);
});

const ready = () => process.send?.({ listening: true }, () => process.disconnect?.());
if ("path" in from) {
  rmSync(from.path, { force: true });
  server.listen(from.path, ready);
} else {
  server.listen(from.port, from.host, ready);
}
server.on("error", (e) => {
  process.stderr.write(`lab-relay: ${listen}: ${e.message}\n`);
  process.exit(1);
});

// Pooled connections (the database driver's, the NATS client's) never end by themselves: exit
// at once.
const stop = () => process.exit(0);
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
