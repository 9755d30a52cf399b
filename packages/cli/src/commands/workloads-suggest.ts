// `microseg workloads suggest` and `microseg workloads accept W [--label k=v…|--all]`: label
// suggestions the controller learned from traffic (application groups, what workloads serve),
// and applying them (a labels patch, audited like `workloads label`).
import { MicrosegError } from "@microseg/core";
import { connect } from "../api/connect.js";
import { apiCommand, type WithConnection } from "../api/options.js";
import { collect, labelsText, parsePairs, printJson, shown, table, write } from "../api/output.js";

type Json = WithConnection<{ json?: boolean; since?: string }>;

export function workloadsSuggestCommand() {
  return apiCommand("suggest", "suggest app and role labels learned from traffic")
    .option("--since <time>", "learn from flows seen since then (ISO time or 24h, 7d)")
    .addHelpText(
      "after",
      `
Workloads that talk mostly to each other form an application group (Louvain communities of the
flow graph); a workload missing \`app\` gets the app most of its group carries. A workload
missing \`role\` gets the role of workloads that serve the same ports, or the usual role of its
ports (5432 -> db, 80/443 -> web). CONFIDENCE is 0..1; EVIDENCE says what it rests on.

Examples:
  $ npx microseg workloads suggest
  $ npx microseg workloads accept web-3 --all`,
    )
    .action(async (opts: Json) => {
      const client = await connect(opts);
      const found = await client.labelSuggestions(
        opts.since === undefined ? {} : { since: opts.since },
      );
      if (opts.json === true) return printJson(found);
      const groups = found.groups.filter((g) => g.members.length > 1);
      write(`${found.groups.length} application group(s) from ${found.edges} flow edges\n`);
      for (const g of groups) {
        write(`  ${shown(g.id)} (${shown(g.name)}): ${shown(g.members.join(", "))}\n`);
      }
      if (found.suggestions.length === 0) return write("no label suggestions\n");
      const rows = found.suggestions.map((s) => [
        s.workload,
        `${s.key}=${s.value}`,
        s.confidence.toFixed(2),
        s.evidence.join("; "),
      ]);
      write(table(["WORKLOAD", "LABEL", "CONFIDENCE", "EVIDENCE"], rows));
    });
}

type AcceptFlags = WithConnection<{ json?: boolean; label: string[]; all?: boolean }>;

export function workloadsAcceptCommand() {
  return apiCommand("accept", "apply suggested labels to a workload (--all, or --label k=v)")
    .argument("<name>", "workload name")
    .option("--label <key=value>", "set this label (repeatable)", collect, [])
    .option("--all", "apply every current suggestion for the workload")
    .action(async (name: string, opts: AcceptFlags) => {
      const all = opts.all === true;
      if (all === opts.label.length > 0) {
        throw new MicrosegError("MSEG_USAGE", "give either --all or --label key=value (not both)");
      }
      const client = await connect(opts);
      const out = await client.acceptLabels(
        all ? { workload: name, all: true } : { workload: name, labels: parsePairs(opts.label) },
      );
      if (opts.json === true) return printJson(out);
      const set = out.accepted.map((a) => `${shown(a.key)}=${shown(a.value)}`).join(", ");
      write(
        `${shown(name)}: ${out.change} (${set})\n  labels: ${labelsText(out.workload.labels)}\n`,
      );
    });
}
