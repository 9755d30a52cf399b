// Child process for the process-level bus test: one controller replica (plain HTTP) on a shared
// PostgreSQL database and NATS cluster, its leases shortened so a killed holder's lease is free
// within 2 s.
//   node --conditions=source --import tsx replica.child.ts DATA AUDIT_KEY POSTGRES_URL NATS_URLS
// Prints {"url": …, "adminToken": …} on stdout once it listens; runs until killed or SIGTERM.
import { startController } from "../main.js";

const [dataDir, auditKeyFile, store, bus] = process.argv.slice(2);
if (
  dataDir === undefined ||
  auditKeyFile === undefined ||
  store === undefined ||
  bus === undefined
) {
  throw new Error("usage: replica.child.ts DATA AUDIT_KEY POSTGRES_URL NATS_URLS");
}
const ctl = await startController({
  dataDir,
  auditKeyFile,
  store,
  bus: [bus],
  listen: "127.0.0.1:0",
  http: true,
  log: "silent",
  leaseTimings: { ttlMs: 2_000, renewMs: 300 },
});
process.stdout.write(`${JSON.stringify({ url: ctl.url, adminToken: ctl.adminToken ?? null })}\n`);
process.once("SIGTERM", () => {
  void ctl.close().then(() => process.exit(0));
});
