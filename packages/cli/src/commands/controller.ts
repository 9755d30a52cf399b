// `microseg controller`: runs the policy control centre until SIGTERM or SIGINT, then closes the
// server (held agent long-polls are answered 204) and the database, and exits 0.
//
// stdout carries what the operator reads once: the URL, the CA fingerprint agents pin, and — on
// the first start only — the admin token (also written to DIR/admin.token, 0600). Logs are JSON
// lines on stderr.
import { MicrosegError } from "@microseg/core";
import { Command, Option } from "commander";
import { printJson, write } from "../api/output.js";
import { durationMs } from "./flows.js";

interface ControllerOptions {
  data: string;
  listen: string;
  http?: boolean;
  san: string[];
  logLevel: "silent" | "error" | "warn" | "info" | "debug";
  json?: boolean;
  heartbeat: number;
  console?: string;
  flowRetention: number;
  alertWebhook: string[];
  alertSyslog: string[];
  autoQuarantine?: string;
  decoy: string[];
  detect: string[];
}

export function controllerCommand(): Command {
  return new Command("controller")
    .description("Run the controller: API, agent channel and embedded database under --data.")
    .requiredOption("--data <dir>", "data directory (database, TLS CA, admin token)")
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
      "detection thresholds, e.g. scanPorts=20 scanHosts=6 spreadWindowMs=60000 (docs/design/detection.md)",
      [],
    )
    .option("--json", "print the start-up facts as one JSON line")
    .addHelpText(
      "after",
      `
Runs until SIGTERM or SIGINT, then shuts down cleanly and exits 0.

Examples:
  $ npx microseg controller --data /var/lib/microseg --listen 0.0.0.0:8443 --san ctl.example.net
  $ npx microseg controller --data ./ctl --listen 127.0.0.1:8080 --http
  $ npx microseg controller --data ./ctl --alert-syslog udp://siem.example:514 \\
      --alert-webhook https://hooks.example/microseg --decoy 198.18.0.99 --auto-quarantine decoy:high`,
    )
    .action(async (opts: ControllerOptions) => {
      process.exitCode = await runController(opts);
    });
}

async function runController(opts: ControllerOptions): Promise<number> {
  // Handlers before anything else: a SIGTERM during start-up still ends in a clean close, exit 0.
  const stop = stopSignal();
  // Loaded here, not at the top: every other command would pay for the controller's start-up.
  const { startController } = await import("@microseg/controller");
  const ctl = await startController({
    dataDir: opts.data,
    listen: opts.listen,
    http: opts.http === true,
    san: opts.san,
    log: opts.logLevel,
    heartbeatSeconds: opts.heartbeat,
    flowRetentionMs: opts.flowRetention,
    detection: {
      alertWebhook: opts.alertWebhook,
      alertSyslog: opts.alertSyslog,
      decoy: opts.decoy,
      detect: opts.detect,
      ...(opts.autoQuarantine !== undefined && { autoQuarantine: opts.autoQuarantine }),
    },
    ...(opts.console !== undefined && { consoleDir: opts.console }),
  }).catch((err: unknown) => {
    stop.dispose();
    throw err;
  });
  const facts = { url: ctl.url, caFingerprint: ctl.caFingerprint, adminToken: ctl.adminToken };
  if (opts.json === true) printJson(facts, 0);
  else write(describe(facts, opts.data));
  const received = await stop.signal;
  try {
    await ctl.close();
  } catch (err) {
    throw new MicrosegError("MSEG_INTERNAL", `shutdown after ${received} failed: ${String(err)}`);
  }
  return 0;
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
