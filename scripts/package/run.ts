// A child process that must succeed; its stderr is in the error.
import { execFile } from "node:child_process";

export function run(cmd: string, args: readonly string[]): Promise<string> {
  return new Promise((ok, fail) => {
    execFile(cmd, args, { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) fail(new Error(`${cmd} ${args.join(" ")}: ${stderr.trim() || err.message}`));
      else ok(stdout);
    });
  });
}
