// Child processes for the install test: run to completion (with the output), or keep running.
import { type ChildProcess, execFile, spawn } from "node:child_process";

export interface Ran {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs `cmd args` to the end; never rejects on a non-zero exit (the caller judges `code`). */
export function sh(cmd: string, args: readonly string[], timeoutMs = 120_000): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, out, e) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ code, out: String(out), err: String(e) || (err ? err.message : "") });
    });
  });
}

/** Like sh, but a non-zero exit rejects with the command and its stderr. */
export async function ok(cmd: string, args: readonly string[], timeoutMs?: number) {
  const r = await sh(cmd, args, timeoutMs);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.code}: ${r.err}${r.out}`);
  return r.out;
}

/** A long-running child whose output is collected in `log`. */
export function background(cmd: string, args: readonly string[]) {
  const child: ChildProcess = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
  const log: string[] = [];
  child.stdout?.on("data", (d) => log.push(String(d)));
  child.stderr?.on("data", (d) => log.push(String(d)));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, log, exited };
}

export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
