// `microseg export --to k8s|aws-sg|iptables|nft FILE…`: the policy rendered for another
// enforcement point, with a fidelity report of what that target could not express.
//
//   files ──loadFiles──> Policy + workloads ──@microseg/export──> { output, fidelity }
//                                                                   │          │
//                                          stdout or --out <────────┘          └──> stderr (human)
//                                          --json: {target, output|out, fidelity} on stdout
import { writeFile } from "node:fs/promises";
import { MicrosegError } from "@microseg/core";
import { EXPORT_TARGETS, type ExportTarget } from "@microseg/export";
import { Command, Option } from "commander";
import { printJson, write, writeErr } from "../api/output.js";
import { formatFidelityReport } from "./export-format.js";
import { runExport } from "./export-run.js";
import { FILES_HELP, loadFiles, reportDiagnostics } from "./policy-load.js";

interface ExportOpts {
  to: ExportTarget;
  workload?: string;
  gateway?: boolean;
  out?: string;
  json?: boolean;
  strict?: boolean;
}

export function exportCommand(): Command {
  return new Command("export")
    .description(
      "Render the policy for another enforcement point (Kubernetes NetworkPolicy, AWS security " +
        "groups, iptables, nftables) and report what the target could not express.",
    )
    .addOption(
      new Option("--to <target>", "the target").choices([...EXPORT_TARGETS]).makeOptionMandatory(),
    )
    .argument("<files...>", FILES_HELP)
    .option("--workload <name>", "iptables, nft: the host whose rules are exported (host form)")
    .option("--gateway", "iptables, nft: a FORWARD chain for a gateway between segments")
    .option("--out <file>", "write the output to this file instead of stdout")
    .option("--json", 'print {"target", "output" (or "out"), "fidelity": [...]} as JSON on stdout')
    .option("--strict", "exit 1 when anything is approximated or dropped")
    .addHelpText(
      "after",
      `
The fidelity report (stderr) lists, per piece of policy, whether the target expresses it
exactly, approximates it (stricter or LOOSER, said in the line) or drops it. See docs/export.md.

Examples:
  $ npx microseg export --to k8s policy.yaml > netpol.json
  $ npx microseg export --to aws-sg policy.yaml --out sg.tf.json
  $ npx microseg export --to iptables examples/shop/scenario.yaml --workload db-1 | sh
  $ npx microseg export --to nft examples/shop/scenario.yaml --gateway --out gw.nft
  $ npx microseg export --to k8s policy.yaml --json | jq '.fidelity[] | select(.severity != "exact")'`,
    )
    .action(async (files: string[], opts: ExportOpts) => {
      const loaded = await loadFiles(files);
      if (!loaded.ok) {
        reportDiagnostics(loaded.diagnostics);
        return;
      }
      const result = runExport(opts.to, loaded, opts);
      if (opts.out !== undefined) await writeOut(opts.out, result.output);
      if (opts.json === true) {
        const body = opts.out === undefined ? { output: result.output } : { out: opts.out };
        printJson({ target: opts.to, ...body, fidelity: result.fidelity });
      } else {
        if (opts.out === undefined) write(result.output);
        writeErr(formatFidelityReport(opts.to, result.fidelity));
      }
      const lossy = result.fidelity.some((f) => f.severity !== "exact");
      process.exitCode = opts.strict === true && lossy ? 1 : 0;
    });
}

async function writeOut(path: string, text: string): Promise<void> {
  try {
    await writeFile(path, text);
  } catch (err) {
    throw new MicrosegError(
      "MSEG_FILE_UNREADABLE",
      `cannot write ${path}: ${(err as Error).message}`,
    );
  }
}
