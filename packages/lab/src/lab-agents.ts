// Starts the real host agent inside a lab host's namespace: programs/lab-agent.js, which runs
// the same composition root as `microseg agent` (@microseg/agent runAgentProcess, same flags):
//
//   ip netns exec mseg-<lab>-<host> node programs/lab-agent.js
//      --controller https://198.18.0.1:8443 --ca-fingerprint FP [--enrol-key KEY]
//      --workload <host> --state-dir DIR/agent-<host>
//
// Detached (setsid), output to DIR/agent-<host>.log, so it outlives `lab up`. The agent has no
// readiness signal of its own: `lab up` waits for its acknowledgement at the controller instead
// (control-plane.ts waitConverged). A restart without a key re-uses the credential and the last
// good policy kept in its state dir.
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { MicrosegError } from "@microseg/core";

export const AGENT_PROGRAM = fileURLToPath(new URL("./programs/lab-agent.js", import.meta.url));

/** Fails early (before anything is created), with the fix, when the programs are not built. */
export function requireBuiltPrograms(): void {
  const built = ["controller", "agent"].map((p) =>
    fileURLToPath(new URL(`../../${p}/dist/index.js`, import.meta.url)),
  );
  const missing = built.filter((f) => !existsSync(f));
  if (missing.length > 0) {
    throw new MicrosegError(
      "MSEG_LAB_MISSING_TOOL",
      `the controller and agent programs are not built (${missing.join(", ")} missing); run npm run build, or use lab up --direct`,
    );
  }
}

export interface LabAgentSpec {
  readonly host: string;
  readonly netns: string;
  readonly agentUrl: string;
  readonly caFingerprint: string;
  /** Only for the first start; later starts use the stored credential. */
  readonly enrolKey?: string;
}

export function agentStateDir(host: string, dir: string): string {
  return join(dir, `agent-${host}`);
}

export function agentLogPath(host: string, dir: string): string {
  return join(dir, `agent-${host}.log`);
}

/** Spawns one agent and resolves to its pid (the `ip` process execs node: same pid). */
export function startLabAgent(spec: LabAgentSpec, dir: string): number {
  const log = openSync(agentLogPath(spec.host, dir), "a");
  const args = [
    "netns",
    "exec",
    spec.netns,
    process.execPath,
    AGENT_PROGRAM,
    "--controller",
    spec.agentUrl,
    "--ca-fingerprint",
    spec.caFingerprint,
    "--workload",
    spec.host,
    "--state-dir",
    agentStateDir(spec.host, dir),
    "--heartbeat",
    "2",
    ...(spec.enrolKey === undefined ? [] : ["--enrol-key", spec.enrolKey]),
  ];
  const child = spawn("ip", args, { detached: true, stdio: ["ignore", log, log] });
  closeSync(log);
  if (child.pid === undefined) throw new Error(`cannot start the agent of ${spec.host}`);
  child.unref();
  return child.pid;
}

export function agentLogTail(host: string, dir: string, lines = 3): string {
  try {
    return readFileSync(agentLogPath(host, dir), "utf8")
      .trim()
      .split("\n")
      .slice(-lines)
      .join(" / ");
  } catch {
    return "";
  }
}
