// Starts the lab's host agents: one detached process per host, run in the host's namespace
// (`ip netns exec NS node programs/host-agent.js HOST CONTROL PORTS…`), that serves the host's
// listen ports and runs probes on request. Each one gets its own session (setsid), writes to a
// log file, and outlives the `lab up` process. An agent counts as started only once it has said
// "ready" on fd 3 (every socket bound), within READY_TIMEOUT_MS.
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { controlPath, logPath } from "./state.js";

export const READY_TIMEOUT_MS = 10_000;
export const HOST_AGENT_PROGRAM = fileURLToPath(
  new URL("./programs/host-agent.js", import.meta.url),
);

export interface HostAgentSpec {
  readonly host: string;
  readonly netns: string;
  /** `tcp/80`, … */
  readonly listen: readonly string[];
}

/**
 * Spawns the agent of one host. `onSpawn` receives the pid before readiness is awaited, so
 * the caller can record it (and `lab down` can kill it) even if the wait fails.
 */
export async function startHostAgent(
  spec: HostAgentSpec,
  dir: string,
  onSpawn: (pid: number) => void,
): Promise<number> {
  const log = openSync(logPath(spec.host, dir), "a");
  const child = spawn(
    "ip",
    [
      "netns",
      "exec",
      spec.netns,
      process.execPath,
      HOST_AGENT_PROGRAM,
      spec.host,
      controlPath(spec.host, dir),
      ...spec.listen,
    ],
    { detached: true, stdio: ["ignore", log, log, "pipe"] },
  );
  closeSync(log);
  if (child.pid === undefined) throw new Error(`cannot start the host agent of ${spec.host}`);
  onSpawn(child.pid);
  const ready = child.stdio[3] as Readable;
  try {
    await waitReady(ready, child, spec, dir);
  } finally {
    ready.destroy();
    child.unref();
  }
  return child.pid;
}

function waitReady(
  ready: Readable,
  child: ReturnType<typeof spawn>,
  spec: HostAgentSpec,
  dir: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const fail = (why: string) => {
      clearTimeout(timer);
      reject(new Error(`the host agent of ${spec.host} ${why}${logTail(spec.host, dir)}`));
    };
    const timer = setTimeout(
      () => fail(`did not listen within ${READY_TIMEOUT_MS} ms`),
      READY_TIMEOUT_MS,
    );
    ready.on("data", (d: Buffer) => {
      seen += d.toString();
      if (seen.includes("ready\n")) {
        clearTimeout(timer);
        resolve();
      }
    });
    ready.on("error", () => {});
    child.once("exit", (code) => fail(`exited (code ${code}) before it was ready`));
  });
}

function logTail(host: string, dir: string): string {
  try {
    const lines = readFileSync(logPath(host, dir), "utf8").trim().split("\n").slice(-3);
    return lines.length > 0 && lines[0] !== "" ? `: ${lines.join(" / ")}` : "";
  } catch {
    return "";
  }
}
