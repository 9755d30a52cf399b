// Runs system tools (ip, nft, kill) with a deadline. Every call is bounded: a tool that hangs
// is killed after `timeoutMs` and reported as failed.
import { spawn } from "node:child_process";

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly timeoutMs?: number;
  readonly input?: string;
}

export function run(
  cmd: string,
  args: readonly string[],
  opts: RunOptions = {},
): Promise<RunResult> {
  return new Promise((resolvePromise) => {
    const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => {
      stderr += `\n${cmd} timed out after ${opts.timeoutMs ?? 10_000} ms`;
      child.kill("SIGKILL");
    }, opts.timeoutMs ?? 10_000);
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("error", (err) => {
      clearTimeout(timer);
      resolvePromise({ code: 127, stdout, stderr: `${stderr}${err.message}` });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? (signal === null ? 1 : 128), stdout, stderr });
    });
    child.stdin.on("error", () => {});
    child.stdin.end(opts.input ?? "");
  });
}

export class CommandFailed extends Error {
  constructor(
    readonly command: string,
    readonly result: RunResult,
  ) {
    super(
      `\`${command}\` failed (exit ${result.code}): ${result.stderr.trim() || result.stdout.trim()}`,
    );
    this.name = "CommandFailed";
  }
}

/** Runs and throws CommandFailed unless the tool exits 0; resolves to its stdout. */
export async function runOk(
  cmd: string,
  args: readonly string[],
  opts: RunOptions = {},
): Promise<string> {
  const result = await run(cmd, args, opts);
  if (result.code !== 0) throw new CommandFailed([cmd, ...args].join(" "), result);
  return result.stdout;
}

/** `ip ARGS…`, failing loudly. */
export function ip(...args: string[]): Promise<string> {
  return runOk("ip", args);
}

/** `ip -n NS ARGS…`: acts in namespace NS without entering it. */
export function ipIn(ns: string, ...args: string[]): Promise<string> {
  return runOk("ip", ["-n", ns, ...args]);
}
