// `microseg policy check FILE…`: validate, then run the files' `tests:` offline.
// Exit codes (CONTRACT.md): 0 valid and every test passes, 1 a test failed, 2 invalid input;
// main() answers an unexpected failure with 3.

import { type PolicyTestResult, runPolicyTests } from "@microseg/core";
import { Command } from "commander";
import { printJson, shown, write } from "../api/output.js";
import { formatTestResult } from "./policy-format.js";
import { FILES_HELP, type Loaded, loadFiles, reportDiagnostics } from "./policy-load.js";

export function policyCheckCommand(): Command {
  return new Command("check")
    .description(
      "Validate policy files (every problem at once, each with file, line, path and the fix), " +
        "then run the `tests:` they contain.",
    )
    .argument("<files...>", FILES_HELP)
    .option("--json", "print the result as JSON on stdout")
    .addHelpText(
      "after",
      `
Several files form one policy: names are shared, and must be unique, across all of them.
Tests name workloads declared under \`workloads:\`; give a lab scenario file as well (or
instead) to let them name its hosts: the scenario brings its hosts and its policy files.
Problems are printed on stderr as  FILE:LINE: PATH: what is wrong and the fix [CODE]
(docs/errors.md explains every code). Tests compare what policy says, ignoring modes.
A load is bounded (docs/policy.md, "Limits"): 1 MiB and 1,000 documents per file, 64 levels
of nesting, 200,000 YAML nodes per file with aliases expanded, 10,000 rules and 200,000 rule
ports in all; past a limit the file or policy is refused with the limit's own code.

Exit codes:
  0  the policy is valid and every test passes
  1  the policy is valid but a test failed (its decision path is printed)
  2  invalid input: a file is unreadable or the policy has problems
  3  an unexpected failure, a bug [MSEG_INTERNAL]; MICROSEG_DEBUG=1 prints its stack trace

Examples:
  $ npx microseg policy check policy.yaml
  $ npx microseg policy check base.yaml team-a.yaml team-b.yaml
  $ npx microseg policy check examples/shop/scenario.yaml
  $ npx microseg policy check policies/ --json | jq '.tests[] | select(.passed == false)'`,
    )
    .action(async (files: string[], opts: { json?: boolean }) => {
      const result = await loadFiles(files);
      if (!result.ok) {
        reportDiagnostics(result.diagnostics);
        if (opts.json === true)
          printJson({ valid: false, diagnostics: result.diagnostics, tests: [] });
        return;
      }
      const { loaded, workloads } = result;
      const results = runPolicyTests(loaded.policy, workloads, loaded.tests);
      const failed = results.filter((r) => !r.passed).length;
      if (opts.json === true) printJson(jsonResult(result, results));
      else write(textResult(result, results));
      process.exitCode = failed > 0 ? 1 : 0;
    });
}

function textResult(
  { loaded, workloads, files }: Loaded,
  results: readonly PolicyTestResult[],
): string {
  const lines = results.flatMap(formatTestResult).map(shown);
  const failed = results.filter((r) => !r.passed).length;
  const p = loaded.policy;
  const n = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;
  const summary =
    `${n(files.length, "file")}: ${n(p.rules.length, "rule")}, ${n(Object.keys(p.ipLists).length, "IP list")}, ` +
    `${n(workloads.length, "workload")}; ${n(results.length, "test")}, ` +
    `${results.length - failed} passed, ${failed} failed`;
  if (lines.length > 0) lines.push("");
  lines.push(failed > 0 ? `FAIL ${summary}` : `ok ${summary}`);
  return `${lines.join("\n")}\n`;
}

function jsonResult({ loaded, workloads }: Loaded, results: readonly PolicyTestResult[]) {
  const failed = results.filter((r) => !r.passed).length;
  return {
    valid: true,
    diagnostics: [],
    tests: results.map((r) => ({
      ...r.test,
      passed: r.passed,
      ...(r.decision === undefined ? {} : { policy: r.decision.policy, decision: r.decision }),
      ...(r.error === undefined ? {} : { error: r.error }),
    })),
    summary: {
      rules: loaded.policy.rules.length,
      workloads: workloads.length,
      tests: results.length,
      passed: results.length - failed,
      failed,
    },
  };
}
