// `microseg policy history`: every revision, newest first, the active one marked.
import { Command } from "commander";
import { connect } from "../api/connect.js";
import { CONNECTION_HELP, type WithConnection, withConnection } from "../api/options.js";
import { printJson, table, write } from "../api/output.js";

export function policyHistoryCommand(): Command {
  return withConnection(new Command("history"))
    .description("List the provisioned revisions (* marks the active one).")
    .option("--json", "print the history as JSON on stdout")
    .addHelpText(
      "after",
      `
Examples:
  $ npx microseg policy history
  $ npx microseg policy history --json | jq .active
${CONNECTION_HELP}`,
    )
    .action(async (opts: WithConnection<{ json?: boolean }>) => {
      const h = await (await connect(opts)).history();
      if (opts.json === true) return printJson(h);
      if (h.revisions.length === 0) return write("no revision provisioned yet\n");
      const rows = h.revisions.map((r) => [
        `${r.number === h.active ? "*" : " "}${r.number}`,
        r.createdAt,
        r.author,
        r.hash.slice(0, 12),
        (r.rolledBackFrom === null ? "" : `(rollback to ${r.rolledBackFrom}) `) + r.comment,
      ]);
      write(table([" REV", "CREATED", "AUTHOR", "HASH", "COMMENT"], rows));
    });
}
