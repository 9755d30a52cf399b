// Runs `labUp` in a child process so a test can kill it midway (a crashed `lab up`).
//   node --conditions=source --import tsx up-child.mts SCENARIO STATE_DIR
import { labUp } from "../src/index.js";

const [scenario = "", dir = ""] = process.argv.slice(2);
await labUp(scenario, { dir, progress: (line) => process.stderr.write(`${line}\n`) });
