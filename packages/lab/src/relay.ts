// Starts programs/lab-relay.js (LISTEN -> TARGET, bytes only), detached, in the root namespace
// or inside a lab namespace (`ip netns exec`, which execs: the pid is the relay's own). The
// store relays (store-relay.ts) and the bus relays (bus-relay.ts) are both made here.
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { cmdline } from "./sys/procs.js";

export const RELAY_PROGRAM = fileURLToPath(new URL("./programs/lab-relay.js", import.meta.url));
const RELAY_READY_TIMEOUT_MS = 5000;

export interface RelaySpec {
  /** A unix socket path (absolute) or HOST:PORT to listen on. */
  readonly listen: string;
  /** A unix socket path (absolute) or HOST:PORT to connect each accepted connection to. */
  readonly target: string;
  readonly logFile: string;
  /** The network namespace to listen in; undefined: the root namespace. */
  readonly netns?: string;
}

/** Starts one relay; `onSpawn` gets its pid at once (for `lab down`); resolves once it listens. */
export async function startRelay(spec: RelaySpec, onSpawn: (pid: number) => void): Promise<number> {
  const log = openSync(spec.logFile, "a");
  const argv = [process.execPath, RELAY_PROGRAM, spec.listen, spec.target];
  const [cmd, ...args] =
    spec.netns === undefined ? argv : ["ip", "netns", "exec", spec.netns, ...argv];
  const child = spawn(cmd as string, args, {
    detached: true,
    stdio: ["ignore", log, log, "ipc"],
  });
  closeSync(log);
  if (child.pid === undefined) throw new Error(`cannot start the lab relay ${spec.listen}`);
  onSpawn(child.pid);
  try {
    await listening(child, spec.listen);
  } finally {
    if (child.connected) child.disconnect();
    child.unref();
  }
  return child.pid;
}

/** A URL's `user:password@` as given (for the same URL through a relay), or "". */
export function userinfo(url: URL): string {
  if (url.username === "") return "";
  return `${url.username}${url.password === "" ? "" : `:${url.password}`}@`;
}

/** True when `pid` runs a lab relay (pids get reused). */
export function isRelay(pid: number): boolean {
  return pid > 0 && cmdline(pid).includes(RELAY_PROGRAM);
}

function listening(child: ChildProcess, listen: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(`the relay on ${listen} did not listen within ${RELAY_READY_TIMEOUT_MS} ms`),
        ),
      RELAY_READY_TIMEOUT_MS,
    );
    child.once("message", () => {
      clearTimeout(timer);
      resolve();
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the relay on ${listen} exited (code ${code}) before it listened`));
    });
  });
}
