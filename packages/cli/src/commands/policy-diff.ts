// `microseg policy diff`: the draft against the active revision, on the controller's current
// inventory — which rules changed and which workloads' RuleSets would change, entry by entry.
import type { PolicyDiff } from "@microseg/client";
import { ApiError } from "@microseg/protocol";
import { Command } from "commander";
import { connect } from "../api/connect.js";
import { CONNECTION_HELP, type WithConnection, withConnection } from "../api/options.js";
import { plural, printJson, write } from "../api/output.js";

const MARK = { added: "+", removed: "-", changed: "~" } as const;

export function policyDiffCommand(): Command {
  return withConnection(new Command("diff"))
    .description("Show what provisioning the draft would change: rules and per-workload RuleSets.")
    .option("--json", "print the diff as JSON on stdout")
    .addHelpText(
      "after",
      `
Lines start with + (added), - (removed) or ~ (changed). Under each changed workload, the
RuleSet entries only the draft has (+) or only the active revision has (-).

Examples:
  $ npx microseg policy diff
  $ npx microseg policy diff --json | jq '.workloads[].workload'
${CONNECTION_HELP}`,
    )
    .action(async (opts: WithConnection<{ json?: boolean }>) => {
      const diff = await (await connect(opts)).diff().catch(noDraftHint);
      if (opts.json === true) printJson(diff);
      else write(formatDiff(diff));
    });
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
  return `${lines.join("\n")}\n`;
}

function short(hash: string | null): string {
  return hash === null ? "none" : hash.slice(0, 12);
}
