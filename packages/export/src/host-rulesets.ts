// The RuleSets host and gateway exports render: compiled by core, so they mean exactly what the
// native agent enforces.

import { compile, type RuleSet } from "@microseg/core";
import type { FidelityLog } from "./fidelity.js";
import { type ExportInput, type ExportOptions, ExportUsageError } from "./types.js";

/** Host form: the one RuleSet of `--workload`; gateway form: every managed workload's. */
export function ruleSetsFor(input: ExportInput, options: ExportOptions, target: string): RuleSet[] {
  const all = compile(input.policy, input.workloads);
  if (options.gateway === true) {
    if (options.workload !== undefined) {
      throw new ExportUsageError(
        `${target}: give either --workload (host form) or --gateway, not both`,
      );
    }
    return [...all.values()];
  }
  const name = options.workload ?? onlyManaged(all, target);
  const rs = all.get(name);
  if (rs !== undefined) return [rs];
  const w = input.workloads.find((x) => x.name === name);
  const known = [...all.keys()].join(", ") || "none";
  throw new ExportUsageError(
    w === undefined
      ? `${target}: --workload ${name}: no such workload (managed workloads: ${known})`
      : `${target}: --workload ${name} is unmanaged (managed: false), so it has no rules to export`,
  );
}

function onlyManaged(all: ReadonlyMap<string, RuleSet>, target: string): string {
  const names = [...all.keys()];
  if (names.length === 1) return names[0] as string;
  throw new ExportUsageError(
    `${target}: name the host with --workload (one of: ${names.join(", ") || "none"}), or use --gateway`,
  );
}

/** How each firewall-text target reports what it blocks (or would block in test mode). */
const REPORTS: Readonly<Record<"nft" | "iptables", { deny: string; wouldBlock: string }>> = {
  // the native renderer: counting sets the agent reads (flow-deny-*, flow-wb-*)
  nft: {
    deny: "denied attempts are counted in the flow-deny sets and dropped",
    wouldBlock: "would-block attempts are counted in the flow-wb sets and passed",
  },
  iptables: {
    deny: "denied traffic is reported (nflog group 1) and dropped",
    wouldBlock: "would-block traffic is reported (nflog group 1, prefix mseg-wb) and passed",
  },
};

/** Mode notes shared by the firewall-text targets, which express every mode exactly. */
export function noteModes(
  ruleSets: readonly RuleSet[],
  log: FidelityLog,
  target: "nft" | "iptables",
): void {
  const reports = REPORTS[target];
  for (const rs of ruleSets) {
    const how =
      rs.mode === "enforce"
        ? reports.deny
        : rs.mode === "test"
          ? reports.wouldBlock
          : "nothing is blocked";
    log.add(
      "exact",
      `workload ${rs.workload} (mode ${rs.mode})`,
      `${target} expresses every entry of its RuleSet`,
      how,
    );
  }
}
