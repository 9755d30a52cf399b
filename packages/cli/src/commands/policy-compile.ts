// `microseg policy compile FILE… [--workload W]`: the RuleSet each managed workload would get.

import { compile, MicrosegError, type RuleSet } from "@microseg/core";
import { Command } from "commander";
import { printJson, write } from "../api/output.js";
import { formatRuleSet } from "./policy-format.js";
import { FILES_HELP, loadFiles, reportDiagnostics } from "./policy-load.js";

export function policyCompileCommand(): Command {
  return new Command("compile")
    .description(
      "Compile the policy for the workloads declared in the files and print each managed " +
        "workload's RuleSet (chains, entries by precedence, address sets, content hash).",
    )
    .argument("<files...>", FILES_HELP)
    .option("--workload <name>", "only this workload's RuleSet")
    .option("--json", 'print {"ruleSets": [...]} as JSON on stdout')
    .addHelpText(
      "after",
      `
Only managed workloads get a RuleSet; unmanaged ones (managed: false) are peers only.

Examples:
  $ npx microseg policy compile policy.yaml
  $ npx microseg policy compile policy.yaml --workload db-1
  $ npx microseg policy compile policy.yaml --json | jq '.ruleSets[].hash'`,
    )
    .action(async (files: string[], opts: { workload?: string; json?: boolean }) => {
      const result = await loadFiles(files);
      if (!result.ok) {
        reportDiagnostics(result.diagnostics);
        return;
      }
      const { workloads } = result;
      const { policy } = result.loaded;
      const all = compile(policy, workloads);
      const ruleSets =
        opts.workload === undefined ? [...all.values()] : [pick(all, opts.workload, workloads)];
      if (opts.json === true) printJson({ ruleSets });
      else write(`${ruleSets.flatMap((rs) => [...formatRuleSet(rs), ""]).join("\n")}`);
    });
}

function pick(
  all: ReadonlyMap<string, RuleSet>,
  name: string,
  workloads: readonly { name: string; managed: boolean }[],
): RuleSet {
  const found = all.get(name);
  if (found !== undefined) return found;
  const w = workloads.find((x) => x.name === name);
  const message =
    w === undefined
      ? `--workload ${name}: no such workload in the policy files (known: ${workloads.map((x) => x.name).join(", ") || "none"})`
      : `--workload ${name}: the workload is unmanaged (managed: false), so it gets no RuleSet`;
  throw new MicrosegError(
    w === undefined ? "MSEG_POLICY_UNDEFINED_REFERENCE" : "MSEG_USAGE",
    message,
  );
}
