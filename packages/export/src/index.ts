// @microseg/export: one policy, many enforcement points, with a fidelity report.
// PURE: imports only @microseg/core, no node:*. See docs/design/export.md.
//
//   Policy + Workload[] ──┬─ k8s       model (selectors) ──> NetworkPolicy List      ┐
//                         ├─ aws-sg    model (selectors) ──> Terraform JSON          ├─> { output, fidelity }
//                         ├─ aws-cfn   the same plan      ──> CloudFormation template │
//                         ├─ iptables  compile() RuleSets ──> ipset + iptables-restore│
//                         └─ nft       compile() RuleSets ──> nft -f script           ┘
// Allow-only targets (k8s, aws-sg) share deny-plan.ts (override-deny -> narrowed allows).

import { exportAwsCfn } from "./aws/aws-cfn.js";
import { exportAwsSg } from "./aws/aws-terraform.js";
import { exportIptables } from "./iptables/iptables-export.js";
import { exportK8s } from "./k8s/k8s-export.js";
import { exportNft } from "./nft/nft-export.js";
import type { ExportInput, ExportOptions, ExportResult, ExportTarget } from "./types.js";

export { formatFidelity } from "./fidelity.js";
export * from "./types.js";
export { exportAwsCfn, exportAwsSg, exportIptables, exportK8s, exportNft };

const EXPORTERS: Record<
  ExportTarget,
  (input: ExportInput, options: ExportOptions) => ExportResult
> = {
  k8s: exportK8s,
  "aws-sg": exportAwsSg,
  "aws-cfn": exportAwsCfn,
  iptables: exportIptables,
  nft: exportNft,
};

export function exportPolicy(
  target: ExportTarget,
  input: ExportInput,
  options: ExportOptions = {},
): ExportResult {
  return EXPORTERS[target](input, options);
}
