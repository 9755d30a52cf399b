// @ts-check
// The lab's controller process, run inside the controller namespace (mseg-<lab>.ctl):
//   [MICROSEG_LAB_STORE=postgres://…] [MICROSEG_LAB_BUS=nats://…,nats://…]
//   node lab-controller.js DATA_DIR LISTEN_HOST:PORT [MANAGEMENT_SERVICE…]
//
//   startController({dataDir, listen}) ── HTTPS on the lab segment (agents reach it there)
//        │
//   IPC ─┼─> {ready: {url, caFingerprint, caPem, adminToken}}      (to `lab up`)
//        <── {relay: true} + a listening net.Server                   (made by `lab up` on
//        │                                                            127.0.0.1 in the ROOT
//        ▼                                                            namespace)
//   relay: each connection accepted there is piped, bytes only, to the controller's own
//   HTTPS port, so the root namespace reaches the API (TLS end to end) without any link into
//   the lab. Then the IPC channel is closed and the process runs on its own (setsid).
// SIGTERM/SIGINT: clean controller shutdown, exit 0.
import { connect } from "node:net";
import { startController } from "@microseg/controller";

const [dataDir = "", listen = "", ...managementServices] = process.argv.slice(2);
// The database (a PostgreSQL URL) in the environment, so a password stays out of ps; "": SQLite.
const store = process.env.MICROSEG_LAB_STORE || undefined;
// The NATS JetStream servers (comma-separated, as the replica reaches them); "": no bus.
const bus = process.env.MICROSEG_LAB_BUS || undefined;

/** @param {string} text @returns {never} */
function fail(text) {
  process.stderr.write(`lab-controller: ${text}\n`);
  process.exit(1);
}

if (dataDir === "" || listen === "") fail("usage: lab-controller.js DATA_DIR HOST:PORT");
const [host = "", port = ""] = [
  listen.slice(0, listen.lastIndexOf(":")),
  listen.slice(listen.lastIndexOf(":") + 1),
];

const controller = await startController({
  dataDir,
  listen,
  log: "info",
  managementServices,
  ...(store !== undefined && { store }),
  ...(bus !== undefined && { bus: bus.split(",") }),
}).catch((/** @type {Error} */ e) => fail(`cannot start: ${e.message}`));

/** Pipes every connection of `server` to the controller's HTTPS port. @param {import("node:net").Server} server */
function relay(server) {
  server.on("connection", (client) => {
    const upstream = connect(Number(port), host);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end);
    upstream.on("error", end);
    client.on("close", end);
    upstream.on("close", end);
    client.pipe(upstream).pipe(client);
  });
}

process.on("message", (/** @type {unknown} */ _msg, /** @type {unknown} */ handle) => {
  if (handle !== undefined && handle !== null)
    relay(/** @type {import("node:net").Server} */ (handle));
  process.send?.({ relaying: true }, () => process.disconnect?.());
});

const stop = async () => {
  await controller.close();
  process.exit(0);
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);

process.send?.({
  ready: {
    url: controller.url,
    caFingerprint: controller.caFingerprint,
    caPem: controller.caPem,
    adminToken: controller.adminToken ?? null,
  },
});
