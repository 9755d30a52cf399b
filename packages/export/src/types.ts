// What every exporter takes and returns. An export never silently changes what policy means:
// every difference between the source and the target is a FidelityEntry.

import type { Policy, Workload } from "@microseg/core";

export const EXPORT_TARGETS = ["k8s", "aws-sg", "iptables", "nft"] as const;
export type ExportTarget = (typeof EXPORT_TARGETS)[number];

export interface ExportInput {
  readonly policy: Policy;
  readonly workloads: readonly Workload[];
}

export interface ExportOptions {
  /** Host form (iptables, nft): the managed workload whose rules are exported. */
  readonly workload?: string;
  /** Gateway form (iptables, nft): a FORWARD chain enforcing every managed workload. */
  readonly gateway?: boolean;
}

/**
 * - exact: the target means what the source means (for the inventory exported).
 * - approximated: expressed differently; `why` says whether the target allows less (stricter)
 *   or more (looser) than the source.
 * - dropped: not expressed at all; `why` says what the target does instead.
 */
export type FidelitySeverity = "exact" | "approximated" | "dropped";

export interface FidelityEntry {
  readonly severity: FidelitySeverity;
  /** The piece of policy concerned, e.g. `override-deny no-ssh-into-db`. */
  readonly what: string;
  /** Why the target cannot say it as is. */
  readonly why: string;
  /** What the export does instead. */
  readonly instead: string;
  /** Rules concerned (Rule.id); empty for inventory-wide entries. */
  readonly ruleIds: readonly string[];
}

export interface ExportResult {
  /** The main artifact: YAML/JSON, a script, or a ruleset file. */
  readonly output: string;
  /** Parts of a multi-file artifact (e.g. ipset, iptables, ip6tables), also inside `output`. */
  readonly parts?: Readonly<Record<string, string>>;
  readonly fidelity: readonly FidelityEntry[];
}

/** An input the exporter refuses (unknown workload, wrong form): a usage problem. */
export class ExportUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExportUsageError";
  }
}
