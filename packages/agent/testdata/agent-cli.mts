// Runs the real `microseg` command from source (tests start it with
// `node --conditions=source --import tsx`), so privileged tests exercise the CLI's agent flags.
import { main } from "@microseg/cli";

process.exitCode = await main(process.argv.slice(2));
