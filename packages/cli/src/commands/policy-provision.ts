// `microseg policy provision [-m COMMENT]` and `microseg policy rollback REV [-m COMMENT]`: both
// make a new numbered revision active; agents whose RuleSet changed get it at once.
import type { ProvisionResponse } from "@microseg/client";
import { MicrosegError } from "@microseg/core";
import { Command } from "commander";
import { connect } from "../api/connect.js";
import { CONNECTION_HELP, type WithConnection, withConnection } from "../api/options.js";
import { plural, printJson, shown, write } from "../api/output.js";
import { noDraftHint } from "./policy-diff.js";

type Flags = WithConnection<{ json?: boolean; comment?: string; expectActive?: string }>;

function common(cmd: Command): Command {
  return withConnection(cmd)
    .option("-m, --comment <text>", "why (kept in the history and the audit log)")
    .option(
      "--expect-active <rev>",
      "refuse (MSEG_POLICY_STALE) unless this is the active revision ('none' when nothing is)",
    )
    .option("--json", "print the new revision as JSON on stdout");
}

export function policyProvisionCommand(): Command {
  return common(new Command("provision"))
    .description("Make the draft the active policy: a new numbered revision, pushed to agents.")
    .addHelpText(
      "after",
      `
Exit codes: 0 provisioned · 2 no draft, draft unchanged (MSEG_POLICY_UNCHANGED) or stale
(MSEG_POLICY_STALE) · 3 controller unreachable or token refused

Examples:
  $ npx microseg policy provision -m "db reachable from web only"
  $ npx microseg policy provision --expect-active 4 -m "reviewed diff against 4"
${CONNECTION_HELP}`,
    )
    .action(async (opts: Flags) => {
      const out = await (await connect(opts)).provision(input(opts)).catch(noDraftHint);
      report(out, opts, "provisioned");
    });
}

export function policyRollbackCommand(): Command {
  return common(new Command("rollback"))
    .description("Make an earlier revision active again (as a new revision with its text).")
    .argument("<rev>", "revision number to go back to (see `policy history`)")
    .addHelpText(
      "after",
      `
Examples:
  $ npx microseg policy history
  $ npx microseg policy rollback 3 -m "revision 4 blocked backups"
${CONNECTION_HELP}`,
    )
    .action(async (rev: string, opts: Flags) => {
      const to = revisionNumber(rev, "REV");
      const out = await (await connect(opts)).rollback(to, input(opts));
      report(out, opts, `rolled back to ${to}`);
    });
}

function input(opts: Flags): { comment: string; expectedActive?: number | null } {
  if (opts.expectActive === undefined) return { comment: opts.comment ?? "" };
  const expectedActive =
    opts.expectActive === "none" ? null : revisionNumber(opts.expectActive, "--expect-active");
  return { comment: opts.comment ?? "", expectedActive };
}

function revisionNumber(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    throw new MicrosegError("MSEG_USAGE", `${what} "${text}" is not a revision number (1, 2, …)`);
  }
  return n;
}

function report(out: ProvisionResponse, opts: Flags, verb: string): void {
  if (opts.json === true) {
    printJson(out);
    return;
  }
  const changed = out.changedWorkloads;
  write(
    `revision ${out.revision.number} ${verb}; ` +
      `${plural(changed.length, "workload")} changed${changed.length > 0 ? ` (${shown(changed.join(", "))})` : ""}, ` +
      `${plural(out.pushed, "agent")} notified\n`,
  );
}
