// `microseg controller`: runs the policy control centre until SIGTERM or SIGINT, then closes the
// server (held agent long-polls are answered 204) and the database, and exits 0.
//
// stdout carries what the operator reads once: the URL, the CA fingerprint agents pin, and — on
// the first start only — the admin token (also written to DIR/admin.token, 0600). Logs are JSON
// lines on stderr. `controller reset-admin-token` (controller-reset.ts) replaces a lost admin
// token locally.
//
// Serving HTTPS, it remembers its own CA fingerprint for its URL in the known-controllers file
// of the user who started it, so that user's `microseg` commands on this machine trust it
// without a question (the user vouched for it by starting it); others must pin or confirm it.
import { notifySystemd } from "@microseg/agent/sd-notify";
import type { LimitSettings } from "@microseg/controller";
import { MicrosegError } from "@microseg/core";
import { Command, Option } from "commander";
import { knownControllersPath, rememberFingerprint } from "../api/known-controllers.js";
import { printJson, write, writeErr } from "../api/output.js";
import { backupCommand, restoreCommand } from "./controller-backup.js";
import { resetAdminTokenCommand } from "./controller-reset.js";
import { durationMs } from "./flows.js";

interface ControllerOptions {
  data?: string;
  listen: string;
  http?: boolean;
  san: string[];
  logLevel: "silent" | "error" | "warn" | "info" | "debug";
  json?: boolean;
  packages?: string;
  heartbeat: number;
  console?: string;
  flowRetention: number;
  alertWebhook: string[];
  alertWebhookSecret?: string;
  alertSyslog: string[];
  autoQuarantine?: string;
  decoy: string[];
  detect: string[];
  compileTimeout: number;
  compileMemory: number;
  maxConnectionsPerClient?: number;
  maxConnections?: number;
  agentFlowRate?: number;
  authFailures?: number;
  auditKey?: string;
  auditAnchorInterval: number;
  sync: "full" | "normal";
  store?: string;
  bus?: string;
  managementService: string[];
  metricsPublic?: boolean;
}

export function controllerCommand(): Command {
  return new Command("controller")
    .description("Run the controller: API, agent channel and embedded database under --data.")
    .option("--data <dir>", "data directory (database, TLS CA, admin token); required")
    .option("--listen <host:port>", "address to serve on (port 0: any free port)", "127.0.0.1:8443")
    .option("--http", "serve plain HTTP instead of HTTPS (tests, development)")
    .option("--san <name...>", "extra names or addresses for the server certificate", [])
    .addOption(
      new Option("--log-level <level>", "log level (JSON lines on stderr)")
        .choices(["silent", "error", "warn", "info", "debug"])
        .default("info"),
    )
    .option(
      "--heartbeat <seconds>",
      "how often agents report; offline after 3 missed intervals",
      seconds,
      10,
    )
    .option(
      "--console <dir>",
      "serve this built console at / (default: the web package's build, when there is one)",
    )
    .addOption(
      new Option(
        "--flow-retention <duration>",
        "how long the flow graph keeps edges (e.g. 7d, 28d, 8w); older hours are pruned",
      )
        .argParser((text: string) => durationMs(text, "--flow-retention"))
        .default(28 * 86_400_000, "28d"),
    )
    .option("--alert-webhook <url...>", "POST every new alert as JSON to this URL (retried)", [])
    .option(
      "--alert-webhook-secret <file>",
      "sign every webhook request with the secret in this file (X-Microseg-Signature, HMAC-SHA256; docs/api.md)",
    )
    .option(
      "--alert-syslog <url...>",
      "send every new alert as RFC 5424 + CEF to udp://HOST[:514] or tcp://HOST[:PORT]",
      [],
    )
    .option(
      "--auto-quarantine <kind:severity,...>",
      "quarantine an alert's source automatically, e.g. decoy:high,ransomware-spread:critical (off by default)",
    )
    .option(
      "--decoy <target...>",
      "decoys: ADDR, ADDR:tcp/PORT, NAME or NAME:tcp/PORT (workloads labelled decoy=true are decoys too)",
      [],
    )
    .option(
      "--detect <key=n...>",
      "detection thresholds, e.g. scanPorts=20 scanHosts=6 slowScanContacts=30 slowScanWindowMs=43200000 (docs/design/detection.md)",
      [],
    )
    .addOption(
      new Option(
        "--compile-timeout <duration>",
        "time budget of one policy compile (saving a draft, its diff, replay); beyond it the request answers MSEG_POLICY_TOO_COMPLEX",
      )
        .argParser(compileTimeout)
        .default(10_000, "10s"),
    )
    .option(
      "--compile-memory <mib>",
      "memory budget of one policy compile: the heap of a policy worker thread, in MiB",
      mebibytes,
      512,
    )
    .option(
      "--max-connections-per-client <n>",
      "concurrent connections one client address may hold (IPv6: one /64); more are closed at once (default 256)",
      count("--max-connections-per-client"),
    )
    .option(
      "--max-connections <n>",
      "concurrent connections in all (default: 3/4 of the process's open-file limit)",
      count("--max-connections"),
    )
    .option(
      "--agent-flow-rate <records>",
      "flow records per second one agent may send before it is answered 429 (default 50000)",
      count("--agent-flow-rate"),
    )
    .option(
      "--auth-failures <n>",
      "failed authentications one client address may make before it is answered 429; then one more every 2 s (default 30)",
      count("--auth-failures"),
    )
    .option(
      "--audit-key <file>",
      "the key that seals the audit log (default DIR/audit.key, made 0600 on the first start); keep it on another volume than --data",
    )
    .addOption(
      new Option(
        "--audit-anchor-interval <duration>",
        "how often the audit log's head is exported (log line, --alert-webhook, --alert-syslog) when it moved; also at start and shutdown",
      )
        .argParser((text: string) => durationMs(text, "--audit-anchor-interval"))
        .default(5 * 60_000, "5m"),
    )
    .option(
      "--management-service <service...>",
      "what this controller's addresses may reach on every workload, e.g. tcp/22 (default: nothing but the agent channel)",
      [],
    )
    .addOption(
      new Option(
        "--sync <mode>",
        "database durability: full = every answered write is on disk (fsync per commit); normal = faster small writes, a power cut can lose the last answered ones",
      )
        .choices(["full", "normal"])
        .default("full"),
    )
    .option(
      "--store <url>",
      "keep the state in a PostgreSQL database (postgres://USER[:PASSWORD]@HOST:PORT/DATABASE) instead of DIR/microseg.db; several controllers may share it (default: the SQLite file; --sync applies to it only)",
    )
    .option(
      "--bus <urls>",
      "a NATS JetStream cluster (nats://HOST:PORT, comma-separated) shared by the replicas: every replica publishes its flow observations there and one of them, the holder of the detection lease, detects for all (default: none, each controller detects on its own flows)",
    )
    .option(
      "--packages <dir>",
      "serve the agent packages in this directory to the one-line installer (default: the package install's, /usr/share/microseg/packages)",
    )
    .option(
      "--metrics-public",
      "serve GET /metrics without the admin token (for a Prometheus scraper on a trusted network)",
    )
    .option("--json", "print the start-up facts as one JSON line")
    .enablePositionalOptions()
    .addCommand(resetAdminTokenCommand())
    .addCommand(backupCommand())
    .addCommand(restoreCommand())
    .addHelpText(
      "after",
      `
Runs until SIGTERM or SIGINT, then shuts down cleanly and exits 0.

Policy texts are parsed, compiled and tested in worker threads, never on the thread that serves
the API and the agents: a draft over --compile-timeout or --compile-memory is refused
(MSEG_POLICY_TOO_COMPLEX, nothing saved) while everything else keeps being answered.

Limits (docs/api.md, "Limits"): a TLS handshake must finish in 10 s and a request's headers
arrive in 10 s; idle keep-alive connections close after 15 s. Request bodies are limited per
route (enrolment 64 KiB, status 2 MiB, flows 16 MiB, policy text 8 MiB, other JSON 256 KiB).
Each agent holds one long-poll and has quotas for flow records, status reports and policy
requests; beyond them it is answered 429 with Retry-After and sends again later, losing nothing.

Alerts go to every --alert-webhook as one JSON POST per new alert (again only when its severity
rises, also across restarts) with a schemaVersion, an event id that retries keep (receivers drop
repeats by it) and ISO-8601 times. With --alert-webhook-secret FILE each request carries
X-Microseg-Signature: t=UNIX,v1=HEX(HMAC-SHA256(secret, "UNIX." + body)); the receiver checks it
and the time (docs/api.md, "Alert webhooks"). --alert-syslog lines are RFC 5424 + CEF: the
Name is fixed per kind (Port scan, Lateral movement, …) so a SIEM groups them; the summary is in
msg, with externalId, src/shost, dst/dhost, dpt, proto, act, cnt, start, end.

Health and metrics (docs/api.md, "Health and metrics"): GET /healthz and GET /readyz answer
without a token (200 alive / 200 ready, 503 with the reason when the store does not answer);
GET /metrics is Prometheus text and needs the admin token unless --metrics-public.

Replicas: with --store postgres://… several controllers share the state. With --bus they also
share a NATS JetStream cluster: each publishes its flow observations there before answering the
agent, and the one holding the detection lease detects, stores and sends alerts for all; when it
dies another takes over where the stream was acknowledged (docs/design/scale.md).

Management least privilege: agents let this controller's addresses in only on the ports of
--management-service, and connect to them only on the listen port (the agent channel). Nothing
else reaches a workload from the controller's host, or leaves a workload towards it.

Examples:
  $ npx microseg controller --data /var/lib/microseg --listen 0.0.0.0:8443 --san ctl.example.net
  $ npx microseg controller --data ./ctl --listen 127.0.0.1:8080 --http
  $ npx microseg controller --data ./ctl --listen 10.0.0.5:8443 --management-service tcp/22
  $ npx microseg controller --data ./ctl --alert-syslog udp://siem.example:514 \\
      --alert-webhook https://hooks.example/microseg --alert-webhook-secret ./hook.secret \\
      --decoy 198.18.0.99 --auto-quarantine decoy:high
  $ npx microseg controller --data /var/lib/microseg --audit-key /etc/microseg/audit.key
  $ npx microseg controller --data /var/lib/microseg --store postgres://microseg@db.example:5432/microseg
  $ npx microseg controller --data /var/lib/microseg --store postgres://microseg@db.example:5432/microseg \\
      --bus nats://10.0.0.7:4222,nats://10.0.0.8:4222,nats://10.0.0.9:4222
  $ sudo npx microseg controller reset-admin-token --data /var/lib/microseg   # lost the token
  $ sudo npx microseg controller backup /var/backups/microseg/$(date +%F) --data /var/lib/microseg`,
    )
    .action(async (opts: ControllerOptions) => {
      process.exitCode = await runController(opts);
    });
}

async function runController(opts: ControllerOptions): Promise<number> {
  // --data is checked here, not by commander: a required option of `controller` would also be
  // required of `controller reset-admin-token`, which takes its own --data.
  const data = opts.data;
  if (data === undefined) {
    throw new MicrosegError(
      "MSEG_USAGE",
      "--data <dir> is required: the directory for the database, TLS CA and admin token (e.g. --data ./ctl)",
    );
  }
  // Handlers before anything else: a SIGTERM during start-up still ends in a clean close, exit 0.
  const stop = stopSignal();
  // Loaded here, not at the top: every other command would pay for the controller's start-up.
  const { startController } = await import("@microseg/controller");
  const ctl = await startController({
    dataDir: data,
    listen: opts.listen,
    http: opts.http === true,
    san: opts.san,
    log: opts.logLevel,
    heartbeatSeconds: opts.heartbeat,
    flowRetentionMs: opts.flowRetention,
    compileTimeoutMs: opts.compileTimeout,
    compileMemoryMb: opts.compileMemory,
    sync: opts.sync,
    ...(opts.store !== undefined && { store: opts.store }),
    ...(opts.bus !== undefined && { bus: [opts.bus] }),
    managementServices: opts.managementService,
    metricsPublic: opts.metricsPublic === true,
    detection: {
      alertWebhook: opts.alertWebhook,
      ...(opts.alertWebhookSecret !== undefined && { alertWebhookSecret: opts.alertWebhookSecret }),
      alertSyslog: opts.alertSyslog,
      decoy: opts.decoy,
      detect: opts.detect,
      ...(opts.autoQuarantine !== undefined && { autoQuarantine: opts.autoQuarantine }),
    },
    ...(opts.console !== undefined && { consoleDir: opts.console }),
    ...(opts.packages !== undefined && { packagesDir: opts.packages }),
    limits: limitsFrom(opts),
    ...(opts.auditKey !== undefined && { auditKeyFile: opts.auditKey }),
    auditAnchorIntervalMs: opts.auditAnchorInterval,
  }).catch((err: unknown) => {
    stop.dispose();
    throw err;
  });
  const facts = { url: ctl.url, caFingerprint: ctl.caFingerprint, adminToken: ctl.adminToken };
  if (ctl.caFingerprint !== null) rememberSelf(ctl.url, ctl.caFingerprint);
  if (opts.json === true) printJson(facts, 0);
  else write(describe(facts, data));
  await notifySystemd("READY=1", `serving ${ctl.url}`);
  const received = await stop.signal;
  await notifySystemd("STOPPING=1");
  try {
    await ctl.close();
  } catch (err) {
    throw new MicrosegError("MSEG_INTERNAL", `shutdown after ${received} failed: ${String(err)}`);
  }
  return 0;
}

/**
 * Its URL (and `localhost` for a loopback one) -> its fingerprint in the starting user's
 * known-controllers file. A failure (read-only home, a broken file) is a warning: the controller
 * runs anyway, and the commands ask or need --ca-fingerprint.
 */
function rememberSelf(url: string, fingerprint: string): void {
  const urls = [url];
  const parsed = new URL(url);
  if (parsed.hostname === "127.0.0.1") urls.push(`https://localhost:${parsed.port}`);
  try {
    for (const u of urls) rememberFingerprint(u, fingerprint);
  } catch (e) {
    writeErr(
      `warning: could not remember the CA in ${knownControllersPath()}: ${(e as Error).message}\n`,
    );
  }
}

/** Resolves on the first SIGTERM or SIGINT; dispose() removes the handlers. */
function stopSignal(): { signal: Promise<NodeJS.Signals>; dispose(): void } {
  let on: (s: NodeJS.Signals) => void = () => undefined;
  const dispose = () => {
    process.off("SIGTERM", on);
    process.off("SIGINT", on);
  };
  const signal = new Promise<NodeJS.Signals>((resolve) => {
    on = (s) => {
      dispose();
      resolve(s);
    };
    process.on("SIGTERM", on);
    process.on("SIGINT", on);
  });
  return { signal, dispose };
}

function describe(
  f: { url: string; caFingerprint: string | null; adminToken?: string | undefined },
  data: string,
) {
  const lines = [`controller listening on ${f.url}`, `console (web UI): ${f.url}/`];
  if (f.caFingerprint !== null) lines.push(`CA fingerprint (SHA-256): ${f.caFingerprint}`);
  if (f.adminToken !== undefined) {
    lines.push(`admin token (shown once; also in ${data}/admin.token): ${f.adminToken}`);
  }
  return `${lines.join("\n")}\n`;
}

function compileTimeout(text: string): number {
  const ms = durationMs(text, "--compile-timeout");
  if (ms < 1000 || ms > 3_600_000) {
    throw new MicrosegError(
      "MSEG_USAGE",
      `--compile-timeout must be between 1s and 60m, got "${text}"`,
    );
  }
  return ms;
}

function mebibytes(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 32 || n > 65_536) {
    throw new MicrosegError(
      "MSEG_USAGE",
      `--compile-memory must be whole MiB 32-65536 (e.g. 512), got "${text}"`,
    );
  }
  return n;
}

/** The limits the flags set; the rest keep the controller's defaults. */
export function limitsFrom(opts: Partial<ControllerOptions>): Partial<LimitSettings> {
  const limits: { -readonly [K in keyof LimitSettings]?: LimitSettings[K] } = {};
  if (opts.maxConnectionsPerClient !== undefined) {
    limits.connectionsPerClient = opts.maxConnectionsPerClient;
  }
  if (opts.maxConnections !== undefined) limits.connections = opts.maxConnections;
  if (opts.agentFlowRate !== undefined) {
    limits.flowRecordsPerSecond = opts.agentFlowRate;
    // Three seconds' worth, and never less than three full batches.
    limits.flowRecordBurst = Math.max(150_000, 3 * opts.agentFlowRate);
  }
  if (opts.authFailures !== undefined) limits.authFailureBurst = opts.authFailures;
  return limits;
}

/** A parser for a whole number 1 - 100,000,000 given to `flag`. */
function count(flag: string): (text: string) => number {
  return (text) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1 || n > 100_000_000) {
      throw new MicrosegError(
        "MSEG_USAGE",
        `${flag} must be a whole number 1-100000000, got "${text}"`,
      );
    }
    return n;
  };
}

function seconds(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 3600) {
    throw new MicrosegError(
      "MSEG_USAGE",
      `--heartbeat must be whole seconds 1-3600, got "${text}"`,
    );
  }
  return n;
}
