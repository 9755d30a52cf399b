// From-scratch compile: resolve once, reduce per managed workload.

import type { Policy, Workload } from "../model.js";
import type { RuleSet } from "../ruleset.js";
import { Inventory } from "./inventory.js";
import { reduce } from "./reduce.js";
import { type Resolution, resolve } from "./resolve.js";

/** From-scratch compile: one RuleSet per managed workload, keyed by workload name. */
export function compile(policy: Policy, workloads: readonly Workload[]): Map<string, RuleSet> {
  const inventory = new Inventory(workloads);
  return reduceAll(resolve(policy, inventory), inventory);
}

/** RuleSets of every managed workload, in name order (output must not depend on input order). */
export function reduceAll(res: Resolution, inventory: Inventory): Map<string, RuleSet> {
  const out = new Map<string, RuleSet>();
  const names = [...inventory.byName.keys()].sort();
  for (const name of names) {
    const w = inventory.get(name) as Workload;
    if (w.managed) out.set(name, reduce(res, w));
  }
  return out;
}
