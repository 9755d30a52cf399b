// Runs every benchmark one after the other and prints their reports.
//   npm run bench                 all of them (the nft ones need root: they use throwaway netns;
//                                 the lab ones, e.g. probe-flip and flow-latency, bring up and
//                                 remove a lab: run them under the privileged lock)
//   npm run bench -- compile      only those whose file name contains "compile"
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

const dir = import.meta.dirname;
const filter = process.argv[2] ?? "";
const benches = readdirSync(dir)
  .filter((f) => f.endsWith(".ts") && f !== "run.ts" && f.includes(filter))
  .sort();

let failed = 0;
for (const file of benches) {
  process.stdout.write(`\n## ${file}\n`);
  const run = spawnSync(process.execPath, ["--import", "tsx", join(dir, file)], {
    stdio: "inherit",
  });
  if (run.status !== 0) failed++;
}
process.exitCode = failed === 0 ? 0 : 1;
