// `microseg policy diff`: the draft against the active revision, on the controller's current
// inventory — which rules changed and which workloads' RuleSets would change, entry by entry.
// With --replay: recorded flows judged by both, and exit code 1 when the draft newly blocks any
// (a gate for CI pipelines).
import type { PolicyDiff } from "@microseg/client";
import { ApiError, type ReplayReportWire } from "@microseg/protocol";
import { Command } from "commander";
import { connect } from "../api/connect.js";
import { CONNECTION_HELP, type WithConnection, withConnection } from "../api/options.js";
import { plural, printJson, shown, write } from "../api/output.js";

const MARK = { added: "+", removed: "-", changed: "~" } as const;

export function policyDiffCommand(): Command {
  return withConnection(new Command("diff"))
    .description("Show what provisioning the draft would change: rules and per-workload RuleSets.")
    .option("--json", "print the diff as JSON on stdout ({diff, replay} with --replay)")
    .option(
      "--replay <since>",
      "also replay the flows recorded since then (7d, 24h or an ISO time) against the draft",
    )
    .option("--group-by <label>", "with --replay: the label that names applications", "app")
    .addHelpText(
      "after",
      `
Lines start with + (added), - (removed) or ~ (changed). Under each changed workload, the
RuleSet entries only the draft has (+) or only the active revision has (-).

--replay judges every flow the controller recorded in that window under the active revision and
under the draft (policy semantics, whatever the modes) and lists the flows the draft newly
blocks and newly allows, by the rule that allowed (or now allows) them and by application, and
what each end's mode would do with it on the wire.

Exit codes: 0, or with --replay 1 when the draft newly blocks any recorded flow — so a CI
pipeline can refuse a change that would break observed traffic. 2 when there is no draft.

Examples:
  $ npx microseg policy diff
  $ npx microseg policy diff --json | jq '.workloads[].workload'
  $ npx microseg policy diff --replay 7d || echo "the draft would break recorded traffic"
${CONNECTION_HELP}`,
    )
    .action(async (opts: WithConnection<{ json?: boolean; replay?: string; groupBy: string }>) => {
      const client = await connect(opts);
      const diff = await client.diff().catch(noDraftHint);
      if (opts.replay === undefined) {
        if (opts.json === true) printJson(diff);
        else write(formatDiff(diff));
        return;
      }
      const replay = await client
        .replay({ since: opts.replay, groupBy: opts.groupBy })
        .catch(noDraftHint);
      if (opts.json === true) printJson({ diff, replay });
      else write(`${formatDiff(diff)}\n${formatReplay(replay)}`);
      if (replay.newlyBlocked.edges > 0) process.exitCode = 1;
    });
}

export function formatReplay(r: ReplayReportWire): string {
  const against = r.active === null ? "no active revision" : `active revision ${r.active}`;
  const lines = [
    `replay: ${plural(r.edges, "recorded flow edge")} (${plural(r.connections, "connection")}) ` +
      `from ${r.since} to ${r.until}, ${r.draft} draft against ${against}`,
  ];
  const group = (word: string, g: ReplayReportWire["newlyBlocked"]["byRule"][number]) =>
    `  ${word} ${g.key}: ${plural(g.edges, "edge")}, ${g.connections} conn.`;
  const section = (
    title: string,
    c: ReplayReportWire["newlyBlocked"],
    [allowing, denying]: [string, string],
  ) => {
    lines.push(`${title}: ${plural(c.edges, "flow edge")}, ${plural(c.connections, "connection")}`);
    if (c.edges === 0) return;
    for (const g of c.byRule) lines.push(group(allowing, g));
    for (const g of c.byDenyingRule) lines.push(group(denying, g));
    for (const g of c.byApplication)
      lines.push(`  app ${g.key}: ${plural(g.edges, "edge")}, ${g.connections} conn.`);
    for (const x of c.list) {
      const e = x.edge;
      lines.push(
        `    ${e.from} -> ${e.to} ${e.port} (${e.count}x): ${x.before.rules.join(",")} -> ` +
          `${x.after.rules.join(",")}, on the wire: ${x.after.verdict}`,
      );
    }
  };
  section("newly blocked", r.newlyBlocked, ["allowed before by", "denied now by"]);
  section("newly allowed", r.newlyAllowed, ["allowed now by", "denied before by"]);
  lines.push(`unchanged: ${plural(r.unchanged.edges, "flow edge")}`);
  for (const u of r.unevaluated) {
    lines.push(`not judged: ${u.edge.from} -> ${u.edge.to} ${u.edge.port}: ${u.reason}`);
  }
  return `${lines.map(shown).join("\n")}\n`;
}

/** The API names its route; the CLI names the command that makes a draft. */
export function noDraftHint(err: unknown): never {
  if (
    err instanceof ApiError &&
    err.code === "MSEG_API_NOT_FOUND" &&
    /no draft/.test(err.message)
  ) {
    throw new ApiError(err.code, "no draft yet; upload one with `microseg policy apply FILE…`");
  }
  throw err;
}

export function formatDiff(diff: PolicyDiff): string {
  const against =
    diff.active === null ? "nothing provisioned yet" : `active revision ${diff.active}`;
  if (diff.identical) return `the draft equals ${against}; nothing to provision\n`;
  const lines = [
    `draft against ${against}: ${plural(diff.rules.length, "rule")} and ` +
      `${plural(diff.workloads.length, "workload")} change`,
  ];
  if (diff.rules.length > 0) lines.push("", "rules");
  for (const r of diff.rules) lines.push(`  ${MARK[r.change]} ${r.id} (${r.change})`);
  if (diff.workloads.length > 0) lines.push("", "workloads");
  for (const w of diff.workloads) {
    const hashes = `${short(w.before)} -> ${short(w.after)}`;
    lines.push(`  ${MARK[w.change]} ${w.workload}  ${hashes}`);
    for (const e of w.removed) lines.push(`      - ${e}`);
    for (const e of w.added) lines.push(`      + ${e}`);
  }
  return `${lines.map(shown).join("\n")}\n`;
}

function short(hash: string | null): string {
  return hash === null ? "none" : hash.slice(0, 12);
}
