// `microseg-agent status`: is this host's agent enrolled, running, in touch with its controller,
// and what does it enforce. Reads the state directory and the running agent's status file.
import { Command } from "commander";
import { readAgentStatus, renderStatus } from "../lifecycle/status-view.js";
import { DEFAULT_STATE_DIR } from "./defaults.js";

export function statusCommand(): Command {
  return new Command("status")
    .description(
      "Show whether this host's agent is enrolled and running, whether it reaches its " +
        "controller, and what it enforces.",
    )
    .option("--state-dir <dir>", "the agent's state directory", DEFAULT_STATE_DIR)
    .option("--json", "print one JSON object (fields documented in docs/agent.md)")
    .addHelpText(
      "after",
      `
Exit codes (for scripts and health checks):
  0  enrolled, the agent runs, and its last status report reached the controller
  1  anything else: not enrolled, not running (no status file, its process is gone, or the file
     is older than 3 heartbeat periods), or the controller was not reachable at the last try

Shown: enrolment (workload, agent id, controller URL); whether the agent runs (pid); whether the
controller answered its last report and when; the policy revision in force; the last apply (time,
ok or the error); tamper restores; flow batches waiting on disk; the agent's memory, CPU and
uptime; whether it holds a maintenance token hash and an open maintenance window.
The running agent writes DIR/status.json every heartbeat; this command only reads.

Examples:
  $ sudo microseg-agent status
  $ sudo microseg-agent status --json | jq .controllerReachable
  $ microseg-agent status --state-dir /tmp/agent-1 || echo "agent needs attention"`,
    )
    .action(async (flags: { stateDir: string; json?: boolean }) => {
      const view = await readAgentStatus(flags.stateDir);
      process.stdout.write(
        flags.json === true ? `${JSON.stringify(view, null, 2)}\n` : renderStatus(view),
      );
      process.exitCode = view.ok ? 0 : 1;
    });
}
