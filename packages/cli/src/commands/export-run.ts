// Runs one exporter over loaded policy files; the exporter's usage problems become MSEG_USAGE.
import { MicrosegError } from "@microseg/core";
import {
  type ExportOptions,
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
  };
  if (
    (target === "k8s" || target === "aws-sg") &&
    (options.workload !== undefined || options.gateway)
  ) {
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
    throw err;
  }
}
