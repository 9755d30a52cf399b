// `microseg policy recommend [--since 7d] [--save] [--json]`: a least-privilege policy learned
// from the controller's recorded flows. The YAML goes to stdout (redirect it to a file, or
// --save it as the draft); what it covers and how it generalised goes to stderr.
import type { RecommendationWire } from "@microseg/protocol";
import { connect } from "../api/connect.js";
import { apiCommand, CONNECTION_HELP, type WithConnection } from "../api/options.js";
import { plural, printJson, shown, write, writeErr } from "../api/output.js";

type Flags = WithConnection<{ json?: boolean; since: string; until?: string; save?: boolean }>;

export function policyRecommendCommand() {
  return apiCommand(
    "recommend",
    "Propose a least-privilege policy from recorded flows (label-based rules, never per-IP).",
  )
    .option("--since <time>", "learn from flows seen since then (ISO time or 24h, 7d, 2w)", "7d")
    .option("--until <time>", "and before then")
    .option("--save", "save the proposal as the controller's draft (audited)")
    .addHelpText(
      "after",
      `
Every observed allowed (and would-block) flow is generalised to the labels of its ends — app and
role, plus env, tenant or loc where that group spans several values — and flows between the same
two groups become one rule listing every port seen. Flows to or from addresses no workload owns
become ipList rules.

Only traffic that was let through and answered is learned. Left out, and counted on stderr (and
in --json's leftOut): blocked flows; flows the network refused (reset, ICMP error) or left
unanswered — a sweep of closed ports opens nothing; flows from declared vulnerability scanners
(workloads labelled microseg.io/scanner=true, addresses in the active policy's \`scanners\` IP
list); and flows from a source under an open scan, lateral-movement, ransomware-spread or decoy
alert — held back until the alert is acknowledged (\`microseg alerts ack <id>\`).

The YAML is printed on stdout; on stderr: the coverage (how many recorded flows the proposal
allows: 100% except what cannot be expressed, listed with the reason — e.g. a workload without
labels) and, per rule, the flows it came from and the workloads it admits that were not seen.

Next: review it with \`microseg policy diff --replay 7d\` (after --save), which exits 1 when the
draft would block a recorded flow.

Examples:
  $ npx microseg policy recommend --since 7d > proposed.yaml
  $ npx microseg policy recommend --save && npx microseg policy diff --replay 7d
  $ npx microseg policy recommend --json | jq .coverage
${CONNECTION_HELP}`,
    )
    .action(async (opts: Flags) => {
      const rec = await (await connect(opts)).recommend({
        since: opts.since,
        ...(opts.until !== undefined && { until: opts.until }),
        ...(opts.save === true && { save: true }),
      });
      if (opts.json === true) return printJson(rec);
      writeErr(report(rec));
      write(rec.yaml);
    });
}

/** Why recorded edges were not learned, and who open alerts hold back (nothing when all were). */
function leftOut(rec: RecommendationWire): string[] {
  const o = rec.leftOut;
  const reasons: [number, string][] = [
    [o.refused, "refused"],
    [o.unanswered, "unanswered"],
    [o.blocked, "blocked"],
    [o.scanner, "from declared scanners"],
    [o.heldBack, "held back by open alerts"],
  ];
  const said = reasons.filter(([n]) => n > 0).map(([n, why]) => `${n} ${why}`);
  if (said.length === 0) return [];
  return [
    `left out ${plural(rec.ignored, "flow edge")}: ${said.join(", ")}`,
    ...rec.heldBack.map(
      (h) =>
        `  held back: ${h.source} (${plural(h.edges, "flow edge")}) until ` +
        `${h.alerts.length === 1 ? "alert" : "alerts"} ${h.alerts.join(", ")} ` +
        `${h.alerts.length === 1 ? "is" : "are"} acknowledged (microseg alerts ack <id>)`,
    ),
  ];
}

export function report(rec: RecommendationWire): string {
  const c = rec.coverage;
  const lines = [
    `coverage: ${c.coveredEdges} of ${plural(c.edges, "flow edge")} (${c.percent}%), ` +
      `${c.coveredConnections} of ${plural(c.connections, "connection")}`,
    ...leftOut(rec),
  ];
  for (const u of c.uncovered) {
    lines.push(`  not covered: ${u.from} -> ${u.to} ${u.port}: ${u.reason}`);
  }
  lines.push(`${plural(rec.rules.length, "rule")}, ${plural(rec.ipLists.length, "IP list")}:`);
  for (const r of rec.rules) {
    const admits = [...r.admits.consumers, ...r.admits.providers];
    lines.push(
      `  ${r.name}: ${r.from} -> ${r.to} ${r.services.join(",")} ` +
        `(from ${plural(r.learnedFrom.length, "edge")}` +
        (admits.length > 0 ? `; also admits ${admits.join(", ")})` : ")"),
    );
  }
  lines.push(
    rec.saved === null
      ? "not saved; --save makes it the draft"
      : "saved as the draft; review it with `microseg policy diff --replay 7d`",
  );
  return `${lines.map(shown).join("\n")}\n`;
}
