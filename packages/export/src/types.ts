// What every exporter takes and returns. An export never silently changes what policy means:
// every difference between the source and the target is a FidelityEntry.

import type { Policy, Workload } from "@microseg/core";

export const EXPORT_TARGETS = ["k8s", "aws-sg", "aws-cfn", "iptables", "nft"] as const;
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
  /** k8s: the `microseg.io/export-set` label value on every object (DEFAULT_EXPORT_SET). */
  readonly exportSet?: string;
  /** aws-sg, aws-cfn: the account's quotas, when raised above AWS's defaults (AWS_QUOTAS). */
  readonly awsQuotas?: Partial<AwsQuotas>;
}

/** The AWS quotas an export must fit (VPC quotas; AWS raises them on request). */
export interface AwsQuotas {
  /** Inbound, and separately outbound, rules per security group, per address family. */
  readonly rulesPerGroup: number;
  /** Security groups per network interface. */
  readonly groupsPerInterface: number;
}

export const AWS_QUOTAS: AwsQuotas = { rulesPerGroup: 60, groupsPerInterface: 5 };

/** The export set a k8s export labels its objects with when none is named. */
export const DEFAULT_EXPORT_SET = "default";

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

/** The artifact would exceed a quota of the target; `message` names what and the way out. */
export class ExportQuotaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExportQuotaError";
  }
}
