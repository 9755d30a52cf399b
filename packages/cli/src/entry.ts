// The `microseg` executable's entry in the packages (bundled; bin/microseg.js is the workspace's).
import { main } from "./main.js";

process.exitCode = await main(process.argv.slice(2));
