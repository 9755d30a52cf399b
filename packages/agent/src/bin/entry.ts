// The `microseg-agent` executable's entry (bundled into the packages; see scripts/package).
import { VERSION } from "@microseg/core/version";
import { agentMain } from "./main.js";

process.exitCode = await agentMain(process.argv.slice(2), VERSION);
