// `lab traffic start|stop|status`: the background traffic driver (programs/lab-traffic.js) as
// one detached process per lab, run in the lab's bridge namespace (so `lab down`, which ends
// every process inside a lab namespace, ends it too).
//
//   start: plan (scenario's traffic:) ─> DIR/traffic-plan.json ─> ip netns exec mseg-<lab>
//          node lab-traffic.js PLAN STATUS (setsid, log DIR/traffic.log) ─> "ready" on fd 3
//          ─> pid in DIR/traffic.pid
//   status: DIR/traffic-status.json (rewritten by the driver every second) + is the pid alive
//   stop: SIGTERM (the driver writes its last status), SIGKILL after 2 s; pid file removed
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { MicrosegError } from "@microseg/core";
import { bridgeNamespace } from "../naming.js";
import { PROBE_TIMEOUT_MS, requireUp } from "../probe.js";
import { stateDir } from "../state.js";
import { cmdline, isAlive, terminate } from "../sys/procs.js";
import { labTrafficPlan } from "./lab-plan.js";

export const TRAFFIC_PROGRAM = fileURLToPath(
  new URL("../programs/lab-traffic.js", import.meta.url),
);
/** The driver stops by itself after this long unless told otherwise (bounded load). */
export const DEFAULT_TRAFFIC_HOURS = 8;
const READY_TIMEOUT_MS = 10_000;

export const trafficFiles = (dir: string) => ({
  pid: join(dir, "traffic.pid"),
  plan: join(dir, "traffic-plan.json"),
  status: join(dir, "traffic-status.json"),
  log: join(dir, "traffic.log"),
});

export interface TrafficFlowStatus {
  readonly from: string;
  readonly to: string;
  readonly port: string;
  readonly everyMs: number;
  readonly attempts: number;
  readonly allowed: number;
  readonly blocked: number;
  /** Attempts the host server did not answer (a broken lab, not a verdict). */
  readonly errors: number;
  /** `allowed`, `blocked`, `error`, or "" before the first attempt. */
  readonly last: string;
  readonly lastAt: string;
}

export interface TrafficStatus {
  readonly running: boolean;
  readonly pid?: number;
  readonly startedAt?: string;
  readonly updatedAt?: string;
  readonly flows: readonly TrafficFlowStatus[];
}

export interface TrafficStartOptions {
  readonly dir?: string;
  /** Stop by itself after this many seconds (default DEFAULT_TRAFFIC_HOURS hours). */
  readonly seconds?: number;
  readonly timeoutMs?: number;
}

/** Starts the driver; when one already runs, leaves it alone and answers its status. */
export async function labTrafficStart(opts: TrafficStartOptions = {}): Promise<TrafficStatus> {
  const dir = opts.dir ?? stateDir();
  const state = requireUp(dir);
  const current = labTrafficStatus({ dir });
  if (current.running) return current;
  const files = trafficFiles(dir);
  const flows = labTrafficPlan(state, dir);
  const seconds = opts.seconds ?? DEFAULT_TRAFFIC_HOURS * 3600;
  const plan = {
    timeoutMs: opts.timeoutMs ?? PROBE_TIMEOUT_MS,
    untilMs: Date.now() + seconds * 1000,
    flows,
  };
  rmSync(files.status, { force: true });
  writeFileSync(files.plan, `${JSON.stringify(plan, null, 2)}\n`, { mode: 0o600 });
  const pid = await spawnDriver(bridgeNamespace(state.lab), files);
  writeFileSync(files.pid, `${pid}\n`, { mode: 0o600 });
  return labTrafficStatus({ dir });
}

async function spawnDriver(netns: string, files: ReturnType<typeof trafficFiles>): Promise<number> {
  const log = openSync(files.log, "a");
  const child = spawn(
    "ip",
    ["netns", "exec", netns, process.execPath, TRAFFIC_PROGRAM, files.plan, files.status],
    { detached: true, stdio: ["ignore", log, log, "pipe"] },
  );
  closeSync(log);
  const pid = child.pid;
  if (pid === undefined) throw new Error("cannot start the traffic driver");
  const ready = child.stdio[3] as Readable;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("not ready within 10 s")), READY_TIMEOUT_MS);
      ready.on("data", (d: Buffer) => {
        if (d.toString().includes("ready")) {
          clearTimeout(timer);
          resolve();
        }
      });
      ready.on("error", () => {});
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`exited (code ${code}): ${tail(files.log)}`));
      });
    });
  } catch (e) {
    await terminate([pid]);
    throw new MicrosegError(
      "MSEG_LAB_SETUP_FAILED",
      `the traffic driver did not start: ${(e as Error).message}`,
    );
  } finally {
    ready.destroy();
    child.unref();
  }
  return pid;
}

/** What the driver did so far; `running` is false when none runs (or it ended). */
export function labTrafficStatus(opts: { dir?: string } = {}): TrafficStatus {
  const files = trafficFiles(opts.dir ?? stateDir());
  const pid = driverPid(files.pid);
  let recorded: Omit<TrafficStatus, "running"> = { flows: [] };
  try {
    recorded = JSON.parse(readFileSync(files.status, "utf8")) as Omit<TrafficStatus, "running">;
  } catch {
    // never started, or removed by lab down
  }
  return { ...recorded, running: pid !== undefined, ...(pid === undefined ? {} : { pid }) };
}

/** Stops the driver (if any) and answers its final status. Never fails when none runs. */
export async function labTrafficStop(opts: { dir?: string } = {}): Promise<TrafficStatus> {
  const dir = opts.dir ?? stateDir();
  const files = trafficFiles(dir);
  const pid = driverPid(files.pid);
  if (pid !== undefined) await terminate([pid]);
  rmSync(files.pid, { force: true });
  return labTrafficStatus({ dir });
}

/** The recorded pid, only while that process is still the traffic driver (pids get reused). */
function driverPid(pidFile: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, "utf8").trim());
  } catch {
    return undefined;
  }
  return pid > 0 && isAlive(pid) && cmdline(pid).includes("lab-traffic.js") ? pid : undefined;
}

function tail(file: string): string {
  try {
    return readFileSync(file, "utf8").trim().split("\n").slice(-2).join(" / ");
  } catch {
    return "";
  }
}
