// `microseg alerts` (list, filters, --json as CONTRACT.md's `{ "alerts": [...] }`),
// `microseg alerts ack ID` and `microseg incidents`.

import { MicrosegError } from "@microseg/core";
import type { AlertQuery, AlertWire } from "@microseg/protocol";
import { type Command, Option } from "commander";
import { connect } from "../api/connect.js";
import { apiCommand, CONNECTION_HELP, type WithConnection } from "../api/options.js";
import { ago, printJson, shown, table, write } from "../api/output.js";
import { durationMs } from "./flows.js";

type AlertFlags = WithConnection<{
  json?: boolean;
  kind?: string;
  status?: "open" | "acknowledged" | "resolved";
  source?: string;
  since?: string;
  limit?: string;
}>;

const KINDS = "scan, lateral-movement, ransomware-spread, decoy, enforcement-gap";

export function alertsCommand(): Command {
  const cmd = apiCommand(
    "alerts",
    "Show detection alerts: scans, lateral movement, spread, decoys, gaps.",
  )
    .option("--kind <kind>", `only this kind (${KINDS})`)
    .addOption(
      new Option("--status <status>", "only this status").choices([
        "open",
        "acknowledged",
        "resolved",
      ]),
    )
    .option("--source <name>", "only alerts raised by this workload (or address)")
    .option("--since <time>", "only alerts with new evidence since then (ISO time or 15m, 24h, 7d)")
    .option("--limit <n>", "at most this many alerts, newest first")
    .addHelpText(
      "after",
      `
One alert per (kind, source) while evidence keeps arriving: COUNT is how often the detector
re-raised it, FIRST/LAST when. Alerts of one attack share an INCIDENT (microseg incidents).
RULES: the rules that decided the flows in the evidence ("-": a default deny). --json prints
{ "alerts": [...] } with every field, the evidence among them.

Examples:
  $ npx microseg alerts
  $ npx microseg alerts --kind scan --status open --since 24h
  $ npx microseg alerts --json | jq '.alerts[] | select(.severity == "critical")'
  $ npx microseg alerts ack al-m3x2k-1a2b3c4d
${CONNECTION_HELP}`,
    )
    .action(async (opts: AlertFlags) => {
      const { alerts } = await (await connect(opts)).alerts(alertQuery(opts));
      if (opts.json === true) return printJson({ alerts });
      if (alerts.length === 0) return write("no alerts match\n");
      write(alertTable(alerts));
    });
  cmd.addCommand(
    apiCommand("ack", "Acknowledge an alert (audited).")
      .argument("<id>", "the alert's id (first column of microseg alerts)")
      .action(async (id: string, _opts: unknown, self: Command) => {
        // The parent takes the same connection flags: merge them (either place works).
        const opts = self.optsWithGlobals<WithConnection<{ json?: boolean }>>();
        const { alert } = await (await connect(opts)).ackAlert(id);
        if (opts.json === true) return printJson({ alert });
        write(
          `acknowledged ${shown(alert.id)} (${shown(alert.kind)} from ${shown(alert.source)})\n`,
        );
      }),
  );
  return cmd;
}

export function incidentsCommand(): Command {
  return apiCommand("incidents", "Show incidents: the alerts of one attack, grouped.")
    .addHelpText(
      "after",
      `
An incident groups the alerts of one source within the incident window, and follows lateral
movement: A->B then B->C is one incident.
${CONNECTION_HELP}`,
    )
    .action(async (opts: WithConnection<{ json?: boolean }>) => {
      const { incidents } = await (await connect(opts)).incidents();
      if (opts.json === true) return printJson({ incidents });
      if (incidents.length === 0) return write("no incidents\n");
      const now = Date.now();
      const rows = incidents.map((i) => [
        i.id,
        i.severity,
        i.status,
        i.kinds.join(","),
        i.sources.join(","),
        clip(i.targets.join(","), 40),
        String(i.alerts.length),
        ago(i.at, now),
        ago(i.lastAt, now),
      ]);
      write(
        table(
          [
            "INCIDENT",
            "SEVERITY",
            "STATUS",
            "KINDS",
            "SOURCES",
            "TARGETS",
            "ALERTS",
            "FIRST",
            "LAST",
          ],
          rows,
        ),
      );
    });
}

function alertTable(alerts: readonly AlertWire[]): string {
  const now = Date.now();
  const rows = alerts.map((a) => [
    a.id,
    a.kind,
    a.severity,
    a.status,
    a.source,
    clip(a.targets.join(","), 30),
    String(a.count),
    ago(a.at, now),
    ago(a.lastAt, now),
    rulesOf(a.evidence),
    a.summary,
  ]);
  return table(
    [
      "ID",
      "KIND",
      "SEVERITY",
      "STATUS",
      "SOURCE",
      "TARGETS",
      "COUNT",
      "FIRST",
      "LAST",
      "RULES",
      "SUMMARY",
    ],
    rows,
  );
}

/** The deciding rules of the evidence flows, or "-" when a default decided. */
export function rulesOf(evidence: unknown): string {
  const flows = (evidence as { flows?: { rule?: unknown }[] } | null)?.flows;
  const rules = new Set<string>();
  for (const f of Array.isArray(flows) ? flows : [])
    if (typeof f.rule === "string") rules.add(f.rule);
  return rules.size === 0 ? "-" : [...rules].join(",");
}

function alertQuery(opts: AlertFlags): AlertQuery {
  return {
    ...(opts.kind !== undefined && { kind: opts.kind }),
    ...(opts.status !== undefined && { status: opts.status }),
    ...(opts.source !== undefined && { source: opts.source }),
    ...(opts.since !== undefined && { since: sinceIso(opts.since) }),
    ...(opts.limit !== undefined && { limit: positive(opts.limit) }),
  };
}

/** An ISO time as is; a duration (15m, 24h) back from now. */
function sinceIso(text: string): string {
  if (/^\d{1,9}[smhdw]$/.test(text.trim())) {
    return new Date(Date.now() - durationMs(text, "--since")).toISOString();
  }
  const t = Date.parse(text);
  if (Number.isNaN(t)) {
    throw new MicrosegError(
      "MSEG_USAGE",
      `--since "${text}" is neither an ISO time (2026-03-01T12:00:00Z) nor a duration (15m, 24h, 7d)`,
    );
  }
  return new Date(t).toISOString();
}

function positive(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    throw new MicrosegError("MSEG_USAGE", `--limit "${text}" is not a whole number >= 1`);
  }
  return n;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
