// A child process spoken to in lines: the policy-swap test's programs (swap-traffic.js,
// swap-applier.js) take commands on stdin and answer one line each on stdout.
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";

export interface LineProcess {
  readonly child: ChildProcess;
  /** Writes one line to the child's stdin. */
  send(line: string): void;
  /** Resolves to the next stdout line that starts with `prefix` (earlier lines are dropped). */
  next(prefix: string, timeoutMs: number): Promise<string>;
}

/** `label` names the process in errors, which quote its stderr. */
export function spawnLines(cmd: string, args: readonly string[], label: string): LineProcess {
  const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
  const lines: string[] = [];
  let wake = () => {};
  let stderr = "";
  let exited = false;
  createInterface({ input: child.stdout as NonNullable<typeof child.stdout> }).on("line", (l) => {
    lines.push(l);
    wake();
  });
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  child.on("exit", () => {
    exited = true;
    wake();
  });
  child.stdin?.on("error", () => {});
  const next = (prefix: string, timeoutMs: number) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => fail("did not answer"), timeoutMs);
      function fail(why: string) {
        clearTimeout(timer);
        wake = () => {};
        reject(new Error(`${label} ${why} (expected ${prefix}…): ${stderr.trim()}`));
      }
      wake = () => {
        const i = lines.findIndex((l) => l.startsWith(prefix));
        if (i >= 0) {
          clearTimeout(timer);
          wake = () => {};
          resolve(lines.splice(0, i + 1)[i] as string);
        } else if (exited) fail("exited");
      };
      wake();
    });
  return { child, next, send: (line) => child.stdin?.write(`${line}\n`) };
}
