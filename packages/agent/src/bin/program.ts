// The packaged host command, `microseg-agent`: the agent service and the host-local tools an
// operator runs on the server itself. Each subcommand lives in its own file under bin/.
//
//   microseg-agent run …             the service (runAgentProcess), the same command as `microseg agent`
//   microseg-agent enrol …           the installer's one-off enrolment (pin, enrol, store identity)
//   microseg-agent restore           the boot unit's: last good policy in force before the network
//   microseg-agent status            enrolled? running? controller reachable? (exit 0 / 1)
//   microseg-agent maintenance       a window in which a stop is sanctioned (maintenance token)
//   microseg-agent unpair            table, controller, state: gone (maintenance token)
//   microseg-agent report-removal    the package's prerm: removal reported, never fails
//   microseg-agent --version         the release this binary belongs to
import { Command } from "commander";
import { enrolCommand, restoreCommand } from "./host-commands.js";
import { maintenanceCommand } from "./maintenance-command.js";
import { reportRemovalCommand } from "./report-removal-command.js";
import { runCommand } from "./run-command.js";
import { statusCommand } from "./status-command.js";
import { unpairCommand } from "./unpair-command.js";

export function agentProgram(version: string): Command {
  return new Command("microseg-agent")
    .description(
      "The microseg host agent: enforces this server's policy with nftables and reports its flows.",
    )
    .version(version)
    .showHelpAfterError("(add --help for usage)")
    .addCommand(runCommand("run", "microseg-agent run"))
    .addCommand(enrolCommand())
    .addCommand(restoreCommand())
    .addCommand(statusCommand())
    .addCommand(maintenanceCommand())
    .addCommand(unpairCommand())
    .addCommand(reportRemovalCommand());
}
