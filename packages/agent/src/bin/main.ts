// Entry of `microseg-agent`: parses argv and resolves to the exit code; never calls process.exit.
// A MicrosegError is one line on stderr with its registry exit code; anything else is a bug.
import { ERROR_CODES, MicrosegError } from "@microseg/core/errors";
import { CommanderError } from "commander";
import { agentProgram } from "./program.js";

export async function agentMain(argv: readonly string[], version: string): Promise<number> {
  const prog = agentProgram(version);
  prog.exitOverride();
  for (const sub of prog.commands) sub.exitOverride();
  process.exitCode = 0;
  try {
    await prog.parseAsync([...argv], { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : ERROR_CODES.MSEG_USAGE.exit;
    if (err instanceof MicrosegError) {
      process.stderr.write(`error: ${err.message} [${err.code}]\n`);
      return ERROR_CODES[err.code].exit;
    }
    process.stderr.write(
      `error: unexpected: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    return 3;
  }
}
