// The agent's run command: `microseg agent` and the packaged `microseg-agent run` are this one
// command under two names. Runs the host agent in the foreground until SIGTERM/SIGINT (then exits 0
// and leaves the last policy in force). See docs/agent.md.
//
//   flags ──> AgentProcessOptions ──> runAgentProcess (main.ts, the composition root)
import { MicrosegError } from "@microseg/core/errors";
import { Command, Option } from "commander";
import type { AgentProcessOptions } from "../main.js";
import { collect, controllerOption, fingerprintOption } from "./host-commands.js";

interface AgentFlags {
  controller?: string;
  caFingerprint?: string;
  enrolKey?: string;
  stateDir: string;
  defaultBeforePolicy: "deny" | "allow";
  hostNamespace?: boolean;
  workload?: string;
  skipInterface: string[];
  heartbeat: string;
  logLevel: string;
  flows: "on" | "off";
  flowInterval: string;
  flowBuffer: string;
  metricsListen?: string;
}

/** The run command under `name`; `example` is how a user invokes it, for the help's examples. */
export function runCommand(name: string, example = `microseg ${name}`): Command {
  return new Command(name)
    .description(
      "Run the host agent: enrol, pin the controller's CA, receive policy and enforce it with " +
        "nftables; keeps the last good policy when the controller is away; restores a tampered table.",
    )
    .addOption(controllerOption(false))
    .addOption(fingerprintOption())
    .option("--enrol-key <key>", "enrolment profile key (first start only)")
    .requiredOption("--state-dir <dir>", "where credential, pinned CA and last good policy live")
    .addOption(
      new Option("--default-before-policy <verdict>", "what to enforce before the first policy")
        .choices(["deny", "allow"])
        .default("deny"),
    )
    .option("--host-namespace", "allow enforcing in the machine's root network namespace")
    .option(
      "--workload <name>",
      "workload name to ask for at enrolment (default: the profile's, else the hostname)",
    )
    .option(
      "--skip-interface <name>",
      "leave this interface's addresses out at enrolment, e.g. docker0 or 'br-*' (repeatable)",
      collect,
      [],
    )
    .option("--heartbeat <seconds>", "status report interval", "5")
    .option("--log-level <level>", "pino log level (debug, info, warn, error)", "info")
    .addOption(
      new Option(
        "--flows <on|off>",
        "report flows (conntrack + blocked attempts) to the controller",
      )
        .choices(["on", "off"])
        .default("on"),
    )
    .option("--flow-interval <ms>", "flow flush period: one batch at most this often", "1000")
    .option(
      "--flow-buffer <MiB>",
      "on-disk buffer for unsent flow batches (oldest dropped, counted)",
      "64",
    )
    .option(
      "--metrics-listen <host:port>",
      "serve Prometheus /metrics and /healthz over plain HTTP here, e.g. 127.0.0.1:9464 (default: off)",
    )
    .addHelpText(
      "after",
      `
Examples:
  $ ${example} --controller https://198.18.0.1:8443 --ca-fingerprint AB:CD:… \\
      --enrol-key KEY --state-dir /var/lib/microseg --host-namespace
  $ ip netns exec host-1 ${example} --controller http://198.18.0.1:8080 --state-dir /tmp/a
  $ ${example} … --enrol-key KEY --skip-interface docker0 --skip-interface 'br-*'
  $ ${example} … --metrics-listen 127.0.0.1:9464   # curl http://127.0.0.1:9464/metrics
  $ ${example} --controller https://198.18.0.1:8443,https://198.18.0.5:8443 --ca-fingerprint …

Several controller URLs are the replicas of one controller (one CA, one fingerprint): the agent
talks to one at a time and moves to the next on a network error, a timeout or a 5xx answer (not
on a 4xx: that is the controller's decision), with the usual backoff between full rounds. Every
URL's address and port stay reachable whatever the policy says.

Which workload the agent becomes is the controller's decision: the profile's when the key is bound
to one (enrol-profiles create --workload), else --workload, else the hostname in lower case; an
existing workload, one with an agent, or an address another workload holds is refused with the
reason and the fix (see docs/agent.md).

--metrics-listen answers anyone who reaches it, without a token: bind it to loopback or to a
management address. In enforce mode the agent's own table decides who reaches it (loopback
always; a scraper on the controller's host with --management-service tcp/PORT on the controller;
anyone else through a policy rule). See docs/agent.md, "Metrics".`,
    )
    .action(async (flags: AgentFlags) => {
      // Loaded here, not at the top: every other command would pay for the agent's start-up.
      const { runAgentProcess } = await import("../main.js");
      process.exitCode = await runAgentProcess(toOptions(flags));
    });
}

export function toOptions(flags: AgentFlags): AgentProcessOptions {
  const heartbeatS = Number(flags.heartbeat);
  if (!Number.isFinite(heartbeatS) || heartbeatS <= 0) {
    throw new MicrosegError("MSEG_USAGE", `--heartbeat must be a positive number of seconds`);
  }
  const flowIntervalMs = Number(flags.flowInterval ?? "1000");
  if (!Number.isInteger(flowIntervalMs) || flowIntervalMs < 100) {
    throw new MicrosegError("MSEG_USAGE", "--flow-interval must be a whole number of ms >= 100");
  }
  const flowBufferMiB = Number(flags.flowBuffer ?? "64");
  if (!Number.isFinite(flowBufferMiB) || flowBufferMiB <= 0) {
    throw new MicrosegError("MSEG_USAGE", "--flow-buffer must be a positive number of MiB");
  }
  return {
    controller: flags.controller,
    caFingerprint: flags.caFingerprint,
    enrolKey: flags.enrolKey,
    stateDir: flags.stateDir,
    defaultBeforePolicy: flags.defaultBeforePolicy,
    hostNamespace: flags.hostNamespace === true,
    workload: flags.workload,
    skipInterfaces: flags.skipInterface ?? [],
    heartbeatS,
    logLevel: flags.logLevel,
    flows: flags.flows !== "off",
    flowIntervalMs,
    flowBufferBytes: Math.round(flowBufferMiB * 1024 * 1024),
    ...(flags.metricsListen !== undefined && { metricsListen: flags.metricsListen }),
  };
}
