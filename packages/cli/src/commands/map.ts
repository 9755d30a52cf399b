// `microseg map`: the map that draws itself from observed traffic — nodes (workloads, or groups
// of workloads sharing a label value, and outside addresses) and the flows between them.
import type { MapWire } from "@microseg/protocol";
import { type Command, Option } from "commander";
import { connect } from "../api/connect.js";
import { apiCommand, CONNECTION_HELP, type WithConnection } from "../api/options.js";
import { ago, labelsText, printJson, table, write } from "../api/output.js";
import { TIME_HELP } from "./flows.js";

type MapFlags = WithConnection<{
  json?: boolean;
  groupBy?: string;
  since?: string;
  until?: string;
  verdict?: "allowed" | "blocked" | "would-block";
}>;

export function mapCommand(): Command {
  return apiCommand("map", "Show the application map drawn from observed flows.")
    .option("--group-by <label-key>", "one node per value of this label (e.g. app, role, env)")
    .option("--since <time>", "only flows seen since then (ISO time or 15m, 24h, 7d)")
    .option("--until <time>", "only flows seen before then")
    .addOption(
      new Option("--verdict <verdict>", "only this verdict").choices([
        "allowed",
        "blocked",
        "would-block",
      ]),
    )
    .addHelpText(
      "after",
      `
Every workload is a node, also one that has not talked yet; with --group-by, workloads sharing
that label's value become one group node (workloads without the label stay on their own).
Addresses no workload owns are nodes too. Edges between the same two nodes on the same port and
verdict are merged: COUNT sums them, LAST SEEN is the newest, OUTCOME is established when any
merged edge got a reply, else refused when any was refused, else unanswered (see flows --help).

${TIME_HELP}

Examples:
  $ npx microseg map
  $ npx microseg map --group-by app --since 7d
  $ npx microseg map --group-by role --verdict blocked --json | jq '.edges'
${CONNECTION_HELP}`,
    )
    .action(async (opts: MapFlags) => {
      const map = await (await connect(opts)).map({
        ...(opts.groupBy !== undefined && { groupBy: opts.groupBy }),
        ...(opts.since !== undefined && { since: opts.since }),
        ...(opts.until !== undefined && { until: opts.until }),
        ...(opts.verdict !== undefined && { verdict: opts.verdict }),
      });
      if (opts.json === true) return printJson(map);
      write(describeMap(map));
    });
}

function describeMap(map: MapWire): string {
  const nodes = map.nodes.map((n) => [
    n.id,
    n.kind,
    n.members !== undefined ? n.members.join(",") : n.labels ? labelsText(n.labels) : "-",
  ]);
  const now = Date.now();
  const edges = map.edges.map((e) => [
    e.from,
    e.to,
    e.port,
    e.verdict,
    e.outcome,
    String(e.count),
    ago(e.lastSeen, now),
  ]);
  const edgeText =
    edges.length === 0
      ? "no flows observed yet\n"
      : table(["FROM", "TO", "PORT", "VERDICT", "OUTCOME", "COUNT", "LAST SEEN"], edges);
  return `${table(["NODE", "KIND", "MEMBERS / LABELS"], nodes)}\n${edgeText}`;
}
