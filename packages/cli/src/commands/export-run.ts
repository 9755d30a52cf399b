// Runs one exporter over loaded policy files; the exporter's usage problems become MSEG_USAGE,
// a target quota it would exceed MSEG_EXPORT_QUOTA.
import { MicrosegError } from "@microseg/core";
import {
  type ExportOptions,
  ExportQuotaError,
  type ExportResult,
  type ExportTarget,
  ExportUsageError,
  exportPolicy,
} from "@microseg/export";
import type { Loaded } from "./policy-load.js";

export function runExport(target: ExportTarget, loaded: Loaded, opts: ExportOptions): ExportResult {
  const options: ExportOptions = {
    ...(opts.workload !== undefined ? { workload: opts.workload } : {}),
    ...(opts.gateway === true ? { gateway: true } : {}),
    ...(opts.exportSet !== undefined ? { exportSet: opts.exportSet } : {}),
    ...(opts.awsQuotas !== undefined ? { awsQuotas: opts.awsQuotas } : {}),
  };
  const platform = target === "k8s" || target === "aws-sg" || target === "aws-cfn";
  if (platform && (options.workload !== undefined || options.gateway)) {
    throw new MicrosegError(
      "MSEG_USAGE",
      `--to ${target} exports every workload; --workload and --gateway are for iptables and nft`,
    );
  }
  try {
    return exportPolicy(
      target,
      { policy: loaded.loaded.policy, workloads: loaded.workloads },
      options,
    );
  } catch (err) {
    if (err instanceof ExportUsageError) throw new MicrosegError("MSEG_USAGE", err.message);
    if (err instanceof ExportQuotaError) throw new MicrosegError("MSEG_EXPORT_QUOTA", err.message);
    throw err;
  }
}
