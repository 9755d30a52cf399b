// Placeholder signatures; implemented in this folder.
import type { AddressSet, RuleSet } from "@microseg/core";

export interface NftDriverOptions {
  /** Network namespace (as in `ip netns list`) to act in. Required unless allowRootNamespace. */
  readonly netns?: string;
  /** Refuse to touch the machine's root network namespace unless this is true. */
  readonly allowRootNamespace?: boolean;
  /** Table name inside family inet; default "microseg". */
  readonly table?: string;
  /** Addresses that are always allowed both ways (the controller, management hosts). */
  readonly management?: AddressSet;
}

export interface ApplyResult {
  /** full: whole table replaced; delta: only set elements changed; noop: hash unchanged. */
  readonly kind: "full" | "delta" | "noop";
  readonly ms: number;
}

export interface DriftReport {
  readonly drifted: boolean;
  /** Human-readable differences between the kernel table and the last applied RuleSet. */
  readonly details: readonly string[];
}

export class NftDriver {
  constructor(_options: NftDriverOptions) {}
  /** Makes the kernel table equal to `ruleSet` in one atomic nft transaction. */
  async apply(_ruleSet: RuleSet): Promise<ApplyResult> {
    throw new Error("not implemented");
  }
  /** Compares the kernel table with the last applied RuleSet. */
  async drift(): Promise<DriftReport> {
    throw new Error("not implemented");
  }
  /** Deletes the owned table. */
  async remove(): Promise<void> {
    throw new Error("not implemented");
  }
}
