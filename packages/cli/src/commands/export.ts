// `microseg export --to k8s|aws-sg|aws-cfn|iptables|nft FILE…`: the policy rendered for another
// enforcement point, with a fidelity report of what that target could not express.
//
//   files ──loadFiles──> Policy + workloads ──@microseg/export──> { output, fidelity }
//                                                                   │          │
//                                          stdout or --out <────────┘          └──> stderr (human)
//                                          --json: {target, output|out, fidelity} on stdout
import { writeFile } from "node:fs/promises";
import { MicrosegError } from "@microseg/core";
import {
  AWS_QUOTAS,
  DEFAULT_EXPORT_SET,
  EXPORT_TARGETS,
  type ExportTarget,
} from "@microseg/export";
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
  exportSet?: string;
  awsRulesPerGroup?: number;
  awsGroupsPerInterface?: number;
}

export function exportCommand(): Command {
  return new Command("export")
    .description(
      "Render the policy for another enforcement point (Kubernetes NetworkPolicy, AWS security " +
        "groups as Terraform or CloudFormation, iptables, nftables) and report what the target " +
        "could not express.",
    )
    .addOption(
      new Option("--to <target>", "the target").choices([...EXPORT_TARGETS]).makeOptionMandatory(),
    )
    .argument("<files...>", FILES_HELP)
    .option("--workload <name>", "iptables, nft: the host whose rules are exported (host form)")
    .option("--gateway", "iptables, nft: a FORWARD chain for a gateway between segments")
    .option(
      "--export-set <name>",
      `k8s: the microseg.io/export-set label on every object, the set \`kubectl apply --prune -l\` owns (default: ${DEFAULT_EXPORT_SET})`,
    )
    .option(
      "--aws-rules-per-group <n>",
      `aws-sg, aws-cfn: your account's quota of inbound (and of outbound) rules per security group (default: ${AWS_QUOTAS.rulesPerGroup})`,
      positiveInt("--aws-rules-per-group"),
    )
    .option(
      "--aws-groups-per-interface <n>",
      `aws-sg, aws-cfn: your account's quota of security groups per network interface (default: ${AWS_QUOTAS.groupsPerInterface})`,
      positiveInt("--aws-groups-per-interface"),
    )
    .option("--out <file>", "write the output to this file instead of stdout")
    .option("--json", 'print {"target", "output" (or "out"), "fidelity": [...]} as JSON on stdout')
    .option("--strict", "exit 1 when anything is approximated or dropped")
    .addHelpText(
      "after",
      `
The fidelity report (stderr) lists, per piece of policy, whether the target expresses it
exactly, approximates it (stricter or LOOSER, said in the line) or drops it. See docs/export.md.

Every Kubernetes object carries app.kubernetes.io/managed-by=microseg and
microseg.io/export-set=NAME, so one apply owns the set and removes what left the policy:
  kubectl apply -f netpol.json --prune -l microseg.io/export-set=NAME \\
    --prune-allowlist=networking.k8s.io/v1/NetworkPolicy
An AWS export that would exceed a quota exits 2 (MSEG_EXPORT_QUOTA) naming the group or
instance; raised quotas go in --aws-rules-per-group / --aws-groups-per-interface.

Examples:
  $ npx microseg export --to k8s policy.yaml --export-set shop > netpol.json
  $ npx microseg export --to aws-sg policy.yaml --out sg.tf.json
  $ npx microseg export --to aws-cfn policy.yaml --out sg.cfn.json
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
      const result = runExport(opts.to, loaded, {
        ...(opts.workload !== undefined ? { workload: opts.workload } : {}),
        ...(opts.gateway === true ? { gateway: true } : {}),
        ...(opts.exportSet !== undefined ? { exportSet: opts.exportSet } : {}),
        awsQuotas: {
          ...(opts.awsRulesPerGroup !== undefined ? { rulesPerGroup: opts.awsRulesPerGroup } : {}),
          ...(opts.awsGroupsPerInterface !== undefined
            ? { groupsPerInterface: opts.awsGroupsPerInterface }
            : {}),
        },
      });
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

function positiveInt(option: string): (text: string) => number {
  return (text) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) {
      throw new MicrosegError(
        "MSEG_USAGE",
        `${option} takes a whole number of 1 or more, not ${text}`,
      );
    }
    return n;
  };
}
