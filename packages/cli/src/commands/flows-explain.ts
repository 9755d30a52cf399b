// `microseg flows explain --from A --to B --port tcp/5432 [--at T]`: one recorded (or possible)
// flow explained by the controller under the revision that was active at T — the verdict, and at
// each managed end the mode, the deciding rule or default and the labels it matched — with what
// the flow graph recorded for it.
import type { FlowExplainWire } from "@microseg/protocol";
import { connect } from "../api/connect.js";
import { apiCommand, CONNECTION_HELP, type WithConnection } from "../api/options.js";
import { printJson, shown, write } from "../api/output.js";

type Flags = WithConnection<{
  json?: boolean;
  from: string;
  to: string;
  port: string;
  at?: string;
}>;

export function flowsExplainCommand() {
  return apiCommand(
    "explain",
    "Explain a recorded flow: which rule, which labels, which mode decided.",
  )
    .requiredOption("--from <workload|ip>", "the client: a workload name or an address")
    .requiredOption("--to <workload|ip>", "the server: a workload name or an address")
    .requiredOption("--port <proto/port>", "the service, e.g. tcp/5432, udp/53, icmp")
    .option(
      "--at <time>",
      "under the revision and inventory of then (ISO time or 2h, 3d back); default now",
    )
    .addHelpText(
      "after",
      `
The flow is judged under the policy revision that was active at --at, with the workloads as
they were then (labels, modes, addresses and quarantines, from the audit log). Each managed end shows its mode (learn, test, enforce), what policy says there
and the rule (or the default) that decided, with the remote labels the rule matched.

Examples:
  $ npx microseg flows explain --from web-1 --to db-1 --port tcp/5432
  $ npx microseg flows explain --from 203.0.113.9 --to web-1 --port tcp/22 --at 2d --json
${CONNECTION_HELP}`,
    )
    .action(async (opts: Flags) => {
      const r = await (await connect(opts)).explainFlow({
        from: opts.from,
        to: opts.to,
        port: opts.port,
        ...(opts.at !== undefined && { at: opts.at }),
      });
      if (opts.json === true) return printJson(r);
      write(formatExplain(r));
    });
}

export function formatExplain(r: FlowExplainWire): string {
  const q = r.query;
  const rev = r.revision === null ? "no revision was active" : `revision ${r.revision}`;
  const lines = [
    `${q.from} -> ${q.to} ${q.port} at ${q.at} (${rev}): ${r.decision.verdict} (policy says ${r.decision.policy})`,
  ];
  for (const s of r.decision.steps) {
    const rule = s.rule === undefined ? "default" : `rule ${s.rule.id} (${s.rule.action})`;
    const labels =
      s.matchedLabels === undefined
        ? ""
        : ` matching ${Object.entries(s.matchedLabels)
            .map(([k, v]) => `${k}=${v}`)
            .join(",")}`;
    lines.push(
      `  ${s.at} ${s.workload} (${s.direction}, mode ${s.mode}): ${s.policy} by ${rule}${labels} — ${s.reason}`,
    );
  }
  if (r.decision.steps.length === 0)
    lines.push("  neither end is a managed workload: nothing enforces");
  if (r.recorded.length === 0)
    lines.push("recorded: nothing (a possible flow, not an observed one)");
  for (const e of r.recorded) {
    lines.push(
      `recorded: ${e.verdict} ${e.count}x, ${e.firstSeen} .. ${e.lastSeen}${e.rule ? `, rule ${e.rule}` : ""}`,
    );
  }
  return `${lines.map(shown).join("\n")}\n`;
}
