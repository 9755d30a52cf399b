// `microseg policy …`: offline work on policy files with @microseg/core — check (validate and
// run tests), explain (one flow's decision path), compile (per-workload RuleSets).
import { Command } from "commander";
import { policyCheckCommand } from "./policy-check.js";
import { policyCompileCommand } from "./policy-compile.js";
import { policyExplainCommand } from "./policy-explain.js";

export function policyCommand(): Command {
  return new Command("policy")
    .description("Check, explain and compile policy files, offline.")
    .addCommand(policyCheckCommand())
    .addCommand(policyExplainCommand())
    .addCommand(policyCompileCommand())
    .addHelpText(
      "after",
      `
The policy language is described in docs/policy.md; error codes in docs/errors.md.

Examples:
  $ npx microseg policy check policy.yaml
  $ npx microseg policy explain policy.yaml --from web-1 --to db-1 --port tcp/5432
  $ npx microseg policy compile policy.yaml --workload db-1`,
    );
}
