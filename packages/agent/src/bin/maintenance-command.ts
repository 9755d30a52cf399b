// `microseg-agent maintenance --token T [--minutes N]`: a window in which stopping the agent is
// not tampering (an upgrade, a reboot). Checked offline against the hash the controller sent.
import { MicrosegError } from "@microseg/core/errors";
import { Command } from "commander";
import { DEFAULT_WINDOW_MINUTES, MAX_WINDOW_MINUTES } from "../lifecycle/maintenance.js";
import { openMaintenance } from "../lifecycle/sanction.js";
import { DEFAULT_STATE_DIR, TOKEN_ENV, tokenFrom } from "./defaults.js";

export function maintenanceCommand(): Command {
  return new Command("maintenance")
    .description(
      "Open a maintenance window: stopping the agent within it is reported as a sanctioned " +
        "stop, not as tampering.",
    )
    .option("--token <token>", `the agent's maintenance token (default: $${TOKEN_ENV})`)
    .option(
      "--minutes <n>",
      `how long the window stays open (1 to ${MAX_WINDOW_MINUTES})`,
      String(DEFAULT_WINDOW_MINUTES),
    )
    .option("--state-dir <dir>", "the agent's state directory", DEFAULT_STATE_DIR)
    .addHelpText(
      "after",
      `
The token comes from the controller (microseg agents maintenance-token AGENT); the agent learns
its hash with its next heartbeat and checks it here, also while the controller is unreachable.
A wrong token changes nothing, exits 2 and is reported to the controller as tampering.
Stopping the agent never opens the host: its table stays in force in every case.

Examples:
  $ sudo microseg-agent maintenance --token msm_… --minutes 60 && sudo systemctl stop microseg-agent
  $ sudo MICROSEG_MAINTENANCE_TOKEN=msm_… microseg-agent maintenance`,
    )
    .action(async (flags: { token?: string; minutes: string; stateDir: string }) => {
      const minutes = Number(flags.minutes);
      if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_WINDOW_MINUTES) {
        throw new MicrosegError(
          "MSEG_USAGE",
          `--minutes must be a whole number from 1 to ${MAX_WINDOW_MINUTES}, not "${flags.minutes}"`,
        );
      }
      const window = await openMaintenance(flags.stateDir, requiredToken(flags.token), minutes);
      process.stdout.write(
        `maintenance window open until ${window.until}: stopping the agent now is sanctioned\n`,
      );
    });
}

export function requiredToken(flag: string | undefined): string {
  const token = tokenFrom(flag);
  if (token === undefined) {
    throw new MicrosegError(
      "MSEG_USAGE",
      `a maintenance token is needed: --token T or $${TOKEN_ENV}; ask the controller for one: ` +
        "microseg agents maintenance-token AGENT",
    );
  }
  return token;
}
