// Placeholder signatures; implemented in this folder.
import type { Policy, Workload } from "../model.js";
import type { RuleSet } from "../ruleset.js";

/** From-scratch compile: one RuleSet per managed workload, keyed by workload name. */
export function compile(_policy: Policy, _workloads: readonly Workload[]): Map<string, RuleSet> {
  throw new Error("not implemented");
}

export type Change =
  | { readonly kind: "upsert-workload"; readonly workload: Workload }
  | { readonly kind: "remove-workload"; readonly name: string }
  | { readonly kind: "set-policy"; readonly policy: Policy };

export interface CompileDelta {
  /** RuleSets whose hash changed (or that are new). */
  readonly changed: ReadonlyMap<string, RuleSet>;
  /** Workloads that no longer have a RuleSet. */
  readonly removed: readonly string[];
}

/** Incremental compiler: state = policy + workloads; apply() recompiles only what changed. */
export class Compiler {
  constructor(_policy: Policy, _workloads: readonly Workload[]) {}
  apply(_changes: readonly Change[]): CompileDelta {
    throw new Error("not implemented");
  }
  get(_name: string): RuleSet | undefined {
    throw new Error("not implemented");
  }
  all(): ReadonlyMap<string, RuleSet> {
    throw new Error("not implemented");
  }
}
