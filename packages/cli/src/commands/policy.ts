// `microseg policy …`: offline work on policy files with @microseg/core — check (validate and
// run tests), explain (one flow's decision path), compile (per-workload RuleSets) — and the
// lifecycle at a controller: apply (draft), diff, provision, history, rollback.
import { Command } from "commander";
import { policyApplyCommand } from "./policy-apply.js";
import { policyCheckCommand } from "./policy-check.js";
import { policyCompileCommand } from "./policy-compile.js";
import { policyDiffCommand } from "./policy-diff.js";
import { policyExplainCommand } from "./policy-explain.js";
import { policyHistoryCommand } from "./policy-history.js";
import { policyProvisionCommand, policyRollbackCommand } from "./policy-provision.js";
import { policyRecommendCommand } from "./policy-recommend.js";

export function policyCommand(): Command {
  return new Command("policy")
    .description(
      "Check, explain and compile policy files offline; apply, diff and provision at a controller.",
    )
    .addCommand(policyCheckCommand())
    .addCommand(policyExplainCommand())
    .addCommand(policyCompileCommand())
    .addCommand(policyApplyCommand())
    .addCommand(policyDiffCommand())
    .addCommand(policyRecommendCommand())
    .addCommand(policyProvisionCommand())
    .addCommand(policyHistoryCommand())
    .addCommand(policyRollbackCommand())
    .addHelpText(
      "after",
      `
The policy language is described in docs/policy.md; error codes in docs/errors.md.

Examples:
  $ npx microseg policy check policy.yaml
  $ npx microseg policy explain policy.yaml --from web-1 --to db-1 --port tcp/5432
  $ npx microseg policy compile policy.yaml --workload db-1
  $ npx microseg policy apply policy.yaml && npx microseg policy diff
  $ npx microseg policy provision -m "web may reach db"`,
    );
}
