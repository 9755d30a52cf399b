// @ts-check
// The store relay of one lab controller replica, run in the ROOT network namespace:
//   node lab-store-relay.js SOCKET_PATH HOST PORT
//
//   controller (mseg-<lab>.ctl) ──unix socket SOCKET_PATH──> this process ──TCP──> HOST:PORT
//
// A controller in the lab's controller namespace cannot reach the database's address in the
// root namespace (127.0.0.1 there is its own loopback), but a unix socket is a file and reachable
// from every namespace. So `lab up` gives each replica the database URL with its host replaced by
// the socket's directory, and this process pipes bytes both ways (TLS, if any, end to end).
// One relay per replica: ending one cuts that replica alone off from the database.
// IPC: {listening: true} once the socket accepts, then the channel is closed (setsid, detached).
import { rmSync } from "node:fs";
import { connect, createServer } from "node:net";

const [socketPath = "", host = "", port = ""] = process.argv.slice(2);
if (socketPath === "" || host === "" || !/^\d+$/.test(port)) {
  process.stderr.write("usage: lab-store-relay.js SOCKET_PATH HOST PORT\n");
  process.exit(1);
}

const server = createServer((client) => {
  const upstream = connect(Number(port), host);
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

rmSync(socketPath, { force: true });
server.listen(socketPath, () => {
  process.send?.({ listening: true }, () => process.disconnect?.());
});
server.on("error", (e) => {
  process.stderr.write(`lab-store-relay: ${e.message}\n`);
  process.exit(1);
});

// The controller's pooled connections never end by themselves: exit at once.
const stop = () => process.exit(0);
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
