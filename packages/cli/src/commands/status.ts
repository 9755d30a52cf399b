// `microseg status`: the controller's active revision, CA fingerprint, and how many agents are
// online, converged, pending or drifted.
import { colonFingerprint } from "@microseg/protocol";
import { Command } from "commander";
import { connect } from "../api/connect.js";
import { CONNECTION_HELP, type WithConnection, withConnection } from "../api/options.js";
import { printJson, write } from "../api/output.js";

export function statusCommand(): Command {
  return withConnection(new Command("status"))
    .description("Show the controller's state: active revision, workloads, agent convergence.")
    .option("--json", "print the status as JSON on stdout")
    .addHelpText(
      "after",
      `
Examples:
  $ npx microseg status
  $ npx microseg status --controller https://10.0.0.5:8443 --token "$(cat /var/lib/microseg/admin.token)"
${CONNECTION_HELP}`,
    )
    .action(async (opts: WithConnection<{ json?: boolean }>) => {
      const client = await connect(opts);
      const s = await client.status();
      if (opts.json === true) return printJson({ controller: client.url, ...s });
      const a = s.agents;
      const lines = [
        `controller       ${client.url} (protocol v${s.protocol})`,
        `CA fingerprint   ${s.caFingerprint === null ? "none (plain http)" : s.caFingerprint}`,
        ...(s.caFingerprint === null
          ? []
          : [`                 ${colonFingerprint(s.caFingerprint)}`]),
        `active revision  ${s.activeRevision ?? "none (nothing provisioned yet)"}`,
        `workloads        ${s.workloads}`,
        `agents           ${a.total} enrolled, ${a.revoked} revoked, ${a.online} online`,
        `convergence      ${a.converged} converged, ${a.pending} pending, ${a.drifted} drifted`,
      ];
      write(`${lines.join("\n")}\n`);
    });
}
