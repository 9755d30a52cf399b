// `microseg-agent report-removal`: the package's prerm script tells the controller the agent is
// being removed — tampering unless a maintenance window is open. Never fails (exit 0), returns
// within about 3 s, never touches the table (removing the package leaves it in force until the
// next reboot or an unpair).
import { Command } from "commander";
import { openWindowAt } from "../lifecycle/maintenance.js";
import { deliverOrQueue, removalEvent } from "../lifecycle/report.js";
import { DEFAULT_STATE_DIR } from "./defaults.js";

/** The controller's share of the ~3 s budget; the rest is reading a few small files. */
const REMOVAL_REPORT_MS = 2500;

export function reportRemovalCommand(): Command {
  return new Command("report-removal")
    .description(
      "Report that the agent's package is being removed (for the package's prerm script): " +
        "tampering unless a maintenance window is open. Always exits 0 within about 3 s.",
    )
    .option("--state-dir <dir>", "the agent's state directory", DEFAULT_STATE_DIR)
    .addHelpText(
      "after",
      `
Sanctioned removal: open a window first (microseg-agent maintenance --token T), then remove the
package. When the controller is unreachable the event waits in DIR/outbox.json for the next start.

Example (prerm):
  microseg-agent report-removal || true`,
    )
    .action(async (flags: { stateDir: string }) => {
      try {
        const now = new Date();
        const event = removalEvent(await openWindowAt(flags.stateDir, now), now);
        const outcome = await deliverOrQueue(flags.stateDir, [event], REMOVAL_REPORT_MS);
        process.stdout.write(`removal reported: ${event.kind} (${outcome})\n`);
      } catch (e) {
        process.stderr.write(`removal not reported: ${(e as Error).message}\n`);
      }
      process.exitCode = 0;
    });
}
