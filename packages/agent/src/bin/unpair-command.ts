// `microseg-agent unpair --token T`: leaves microseg on this host for good — with the agent's
// maintenance token only. See lifecycle/sanction.ts for the order of the steps.
import { Command } from "commander";
import { unpair } from "../lifecycle/sanction.js";
import { DEFAULT_STATE_DIR, TOKEN_ENV } from "./defaults.js";
import { requiredToken } from "./maintenance-command.js";

export function unpairCommand(): Command {
  return new Command("unpair")
    .description(
      "Remove this host from microseg: stop the agent, delete its nftables table, tell the " +
        "controller, remove the identity and state. Needs the agent's maintenance token.",
    )
    .option("--token <token>", `the agent's maintenance token (default: $${TOKEN_ENV})`)
    .option("--state-dir <dir>", "the agent's state directory", DEFAULT_STATE_DIR)
    .addHelpText(
      "after",
      `
The token comes from the controller (microseg agents maintenance-token AGENT) and is checked on
this host against the hash the agent received, so unpair works while the controller is away.
Without a valid token nothing changes: exit 2, and the attempt is reported as tampering.
A running agent is stopped first (SIGTERM; its stop is reported as sanctioned). The controller
is told (at most 2 s) and revokes the agent; its workload may then enrol again.
Deleting the table opens the host to whatever its other firewall allows.

Examples:
  $ sudo microseg-agent unpair --token msm_…
  $ sudo microseg-agent unpair --token msm_… --state-dir /tmp/agent-1`,
    )
    .action(async (flags: { token?: string; stateDir: string }) => {
      const token = requiredToken(flags.token);
      // Loaded here: the other host commands need no nft.
      const { NftDriver } = await import("@microseg/nft");
      const result = await unpair(flags.stateDir, token, {
        // Deleting our own table is safe in any namespace, the machine's own included.
        removeTable: () => new NftDriver({ allowRootNamespace: true }).remove(),
      });
      const stopped =
        result.stoppedPid === null ? "" : `agent (pid ${result.stoppedPid}) stopped; `;
      const told =
        result.told === "sent"
          ? "the controller was told"
          : `the controller was not told (${result.told}); revoke the agent there`;
      process.stdout.write(
        `unpaired: ${stopped}table removed; ${told}; state removed from ${flags.stateDir}\n`,
      );
    });
}
