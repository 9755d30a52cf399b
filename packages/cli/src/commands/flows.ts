// `microseg flows`: the observed flow graph — who talked to whom, on which port, with what
// verdict, how often and when — as a table, or `{ "edges": [...] }` with --json (CONTRACT.md).

import { MicrosegError, parseDuration } from "@microseg/core";
import type { FlowQueryWire } from "@microseg/protocol";
import { type Command, Option } from "commander";
import { connect } from "../api/connect.js";
import { apiCommand, CONNECTION_HELP, type WithConnection } from "../api/options.js";
import { ago, collect, printJson, table, write } from "../api/output.js";
import { flowsExplainCommand } from "./flows-explain.js";

type FlowFlags = WithConnection<{
  json?: boolean;
  from?: string;
  to?: string;
  workload?: string;
  label: string[];
  port?: string;
  verdict?: "allowed" | "blocked" | "would-block";
  outcome?: "established" | "refused" | "unanswered";
  since?: string;
  until?: string;
  limit?: string;
}>;

export const TIME_HELP = `--since/--until take an ISO time (2026-03-01T12:00:00Z) or a duration back from now
(90s, 15m, 24h, 7d, 2w). Without them: everything the controller keeps (its --flow-retention).`;

export function flowsCommand(): Command {
  // `flows explain --from …` has options of the same names: ours stop at the subcommand.
  return apiCommand("flows", "Show the observed flow graph: edges between workloads and addresses.")
    .enablePositionalOptions()
    .addCommand(flowsExplainCommand())
    .option("--from <workload>", "only flows from this workload (or address)")
    .option("--to <workload>", "only flows to this workload (or address)")
    .option("--workload <workload>", "only flows with this workload at either end")
    .option(
      "--label <key=value>",
      "only flows with, at either end, a workload carrying these labels (repeatable: all of them)",
      collect,
      [],
    )
    .option("--port <proto/port>", "only this service, e.g. tcp/5432, udp/53, icmp")
    .addOption(
      new Option("--verdict <verdict>", "only this verdict").choices([
        "allowed",
        "blocked",
        "would-block",
      ]),
    )
    .addOption(
      new Option(
        "--outcome <outcome>",
        "only edges the network answered so (established), or never did (refused, unanswered)",
      ).choices(["established", "refused", "unanswered"]),
    )
    .option("--since <time>", "only flows seen since then (ISO time or 15m, 24h, 7d)")
    .option("--until <time>", "only flows seen before then")
    .option("--limit <n>", "at most this many edges, newest first")
    .addHelpText(
      "after",
      `
Each edge is one (from, to, port, verdict) with how many connections (allowed) or attempts
(blocked, would-block) were seen between FIRST and LAST SEEN, merged over the time range.
from/to name workloads, or give the address of a peer no workload owns. would-block: a workload
in test mode reported what enforcement would have blocked. OUTCOME: what the network answered —
established when any connection of the edge got a reply, else refused (a TCP reset or an ICMP
error: nothing listens there, or a firewall on the way said no) when any was refused, else
unanswered (no reply at all; blocked edges always: the ruleset dropped them). Refused and
unanswered edges are failed contacts: a scan, a stale configuration, a service that is down.
RULE: the rule that decided, when the controller could tell (none for a default deny).

${TIME_HELP}

Examples:
  $ npx microseg flows
  $ npx microseg flows --to db-1 --port tcp/5432 --since 24h
  $ npx microseg flows --verdict would-block --since 7d      # what enforce mode would break
  $ npx microseg flows --outcome refused --since 1h          # who knocks on closed ports
  $ npx microseg flows --label app=shop --label env=prod --json | jq '.edges | length'
${CONNECTION_HELP}`,
    )
    .action(async (opts: FlowFlags) => {
      const { edges } = await (await connect(opts)).flows(flowQuery(opts));
      if (opts.json === true) return printJson({ edges });
      if (edges.length === 0) return write("no flows match\n");
      const now = Date.now();
      const rows = edges.map((e) => [
        e.from,
        e.to,
        e.port,
        e.verdict,
        e.outcome,
        String(e.count),
        ago(e.firstSeen, now),
        ago(e.lastSeen, now),
        e.rule ?? "-",
      ]);
      write(
        table(
          ["FROM", "TO", "PORT", "VERDICT", "OUTCOME", "COUNT", "FIRST SEEN", "LAST SEEN", "RULE"],
          rows,
        ),
      );
    });
}

function flowQuery(opts: FlowFlags): FlowQueryWire {
  return {
    ...(opts.from !== undefined && { from: opts.from }),
    ...(opts.to !== undefined && { to: opts.to }),
    ...(opts.workload !== undefined && { workload: opts.workload }),
    ...(opts.label.length > 0 && { label: labelsQuery(opts.label) }),
    ...(opts.port !== undefined && { port: opts.port }),
    ...(opts.verdict !== undefined && { verdict: opts.verdict }),
    ...(opts.outcome !== undefined && { outcome: opts.outcome }),
    ...(opts.since !== undefined && { since: opts.since }),
    ...(opts.until !== undefined && { until: opts.until }),
    ...(opts.limit !== undefined && { limit: positive(opts.limit, "--limit") }),
  };
}

/** Repeated or comma-separated `key=value` -> the API's `k=v,k=v`; a bad one is a usage error. */
function labelsQuery(values: readonly string[]): string {
  const pairs = values.flatMap((v) => v.split(","));
  for (const p of pairs) {
    if (p.indexOf("=") <= 0) {
      throw new MicrosegError("MSEG_USAGE", `--label "${p}" is not key=value (e.g. app=shop)`);
    }
  }
  return pairs.join(",");
}

function positive(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    throw new MicrosegError("MSEG_USAGE", `${flag} "${text}" is not a whole number >= 1`);
  }
  return n;
}

/** `--flow-retention 28d` and the like -> ms; a usage error naming the flag otherwise. */
export function durationMs(text: string, flag: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) {
    throw new MicrosegError(
      "MSEG_USAGE",
      `${flag} "${text}" is not a duration; write e.g. 90s, 15m, 24h, 28d or 8w`,
    );
  }
  return ms;
}
