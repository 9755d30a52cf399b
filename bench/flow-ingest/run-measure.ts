// Runs a benchmark's measuring script in a child node with what the flow benchmarks need: the
// workspace from its sources (the packages' `source` condition, not their last build) and
// `--expose-gc`, so memory is measured after full collections and timed runs start after one.
import { spawnSync } from "node:child_process";

/** Runs `script` with this process's arguments; sets the exit code to the child's. */
export function runMeasure(script: string): void {
  const args = ["--expose-gc", "--conditions=source", "--import", "tsx", script];
  const run = spawnSync(process.execPath, [...args, ...process.argv.slice(2)], {
    stdio: "inherit",
  });
  process.exitCode = run.status ?? 1;
}
