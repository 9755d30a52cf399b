// The packaged host command, `microseg-agent`: the agent service and the host-local tools an
// operator runs on the server itself. Each subcommand lives in its own file under bin/.
//
//   microseg-agent run …        the service (runAgentProcess), the same command as `microseg agent`
//   microseg-agent enrol …      the installer's one-off enrolment (pin, enrol, store identity)
//   microseg-agent restore      the boot unit's: last good policy in force before the network
//   microseg-agent --version    the release this binary belongs to
import { Command } from "commander";
import { enrolCommand, restoreCommand } from "./host-commands.js";
import { runCommand } from "./run-command.js";

export function agentProgram(version: string): Command {
  return new Command("microseg-agent")
    .description(
      "The microseg host agent: enforces this server's policy with nftables and reports its flows.",
    )
    .version(version)
    .showHelpAfterError("(add --help for usage)")
    .addCommand(runCommand("run", "microseg-agent run"))
    .addCommand(enrolCommand())
    .addCommand(restoreCommand());
}
