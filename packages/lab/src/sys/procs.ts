// Ending processes the lab started, by pid, bounded: SIGTERM, wait up to `graceMs`, SIGKILL.
import { readFileSync } from "node:fs";

/** True while the process runs; a zombie (exited, not yet reaped by its parent) counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** The process's command line ("" when it is gone). */
export function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return "";
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Terminates every pid; resolves once all are gone (or were SIGKILLed). Never throws. */
export async function terminate(pids: readonly number[], graceMs = 2000): Promise<number> {
  const targets = [...new Set(pids)].filter((p) => p > 1 && p !== process.pid && isAlive(p));
  for (const pid of targets) signal(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && targets.some(isAlive)) await sleep(25);
  for (const pid of targets.filter(isAlive)) signal(pid, "SIGKILL");
  const killDeadline = Date.now() + 1000;
  while (Date.now() < killDeadline && targets.some(isAlive)) await sleep(25);
  return targets.length;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}
