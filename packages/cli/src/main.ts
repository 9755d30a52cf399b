// The `microseg` command.
//
//   argv ──> commander program ──> commands/<group>.ts ──> @microseg/core | @microseg/lab
//                 │                        │
//                 │ usage error            └─ returns an exit code, or throws MicrosegError
//                 └──> exit 2                    ├──> "error: … [CODE]" on stderr, exit from registry
//                                                └─ anything else is a bug: one line, exit 3
//                                                   (the stack only with MICROSEG_DEBUG=1)

import { runCommand } from "@microseg/agent/command";
import { ERROR_CODES, MicrosegError } from "@microseg/core";
import { VERSION } from "@microseg/core/version";
import { ApiError } from "@microseg/protocol";
import { Command, CommanderError } from "commander";
import { shown, writeErr } from "./api/output.js";
import { agentsCommand } from "./commands/agents.js";
import { alertsCommand, incidentsCommand } from "./commands/alerts.js";
import { auditCommand } from "./commands/audit.js";
import { blastRadiusCommand } from "./commands/blast-radius.js";
import { controllerCommand } from "./commands/controller.js";
import { demoCommand } from "./commands/demo.js";
import { enrolProfilesCommand } from "./commands/enrol-profiles.js";
import { exportCommand } from "./commands/export.js";
import { flowsCommand } from "./commands/flows.js";
import { labCommand } from "./commands/lab.js";
import { mapCommand } from "./commands/map.js";
import { policyCommand } from "./commands/policy.js";
import { quarantineCommand, releaseCommand } from "./commands/quarantine.js";
import { statusCommand } from "./commands/status.js";
import { workloadsCommand } from "./commands/workloads.js";

export function program(): Command {
  // Positional options: a command's options stop at its subcommand, so `flows explain --from` is
  // explain's --from (commander needs this on every ancestor of a command that enables it).
  return new Command("microseg")
    .description("Micro-segmentation: label-based policy, enforced with nftables on every host.")
    .version(VERSION)
    .showHelpAfterError("(add --help for usage)")
    .enablePositionalOptions()
    .addCommand(policyCommand())
    .addCommand(labCommand())
    .addCommand(demoCommand())
    .addCommand(exportCommand())
    .addCommand(workloadsCommand())
    .addCommand(enrolProfilesCommand())
    .addCommand(agentsCommand())
    .addCommand(auditCommand())
    .addCommand(flowsCommand())
    .addCommand(mapCommand())
    .addCommand(blastRadiusCommand())
    .addCommand(alertsCommand())
    .addCommand(incidentsCommand())
    .addCommand(quarantineCommand())
    .addCommand(releaseCommand())
    .addCommand(statusCommand())
    .addCommand(controllerCommand())
    .addCommand(runCommand("agent"));
}

/** Runs the command line and resolves to the process exit code; never calls process.exit. */
export async function main(argv: string[]): Promise<number> {
  const prog = program();
  prog.exitOverride();
  setExitOverride(prog);
  process.exitCode = 0;
  try {
    await prog.parseAsync(argv, { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with exitCode 0; everything else is a usage error.
      return err.exitCode === 0 ? 0 : ERROR_CODES.MSEG_USAGE.exit;
    }
    if (err instanceof MicrosegError) {
      // A controller's message is one line, and may quote what someone else sent: shown whole.
      const message = err instanceof ApiError ? shown(err.message) : err.message;
      writeErr(`error: ${message} [${err.code}]\n`);
      return ERROR_CODES[err.code].exit;
    }
    return unexpected(err);
  }
}

/**
 * A failure no command anticipated. Never exit 1 (`policy check` keeps it for a failed test) and
 * never a stack trace in the user's face: one line with MSEG_INTERNAL, exit 3.
 */
function unexpected(err: unknown): number {
  const what = err instanceof Error ? `${err.name}: ${err.message}` : typeof err;
  process.stderr.write(
    `error: unexpected failure (${what}); this is a bug in microseg: rerun with MICROSEG_DEBUG=1 ` +
      "for the stack trace and report it [MSEG_INTERNAL]\n",
  );
  if (process.env.MICROSEG_DEBUG === "1" && err instanceof Error && err.stack !== undefined) {
    process.stderr.write(`${err.stack}\n`);
  }
  return ERROR_CODES.MSEG_INTERNAL.exit;
}

function setExitOverride(cmd: Command): void {
  for (const sub of cmd.commands) {
    sub.exitOverride();
    setExitOverride(sub);
  }
}
