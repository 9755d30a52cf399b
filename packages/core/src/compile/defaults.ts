// Chain defaults: native workloads are default-deny both ways; a workload in a namespace is
// default-deny in a direction only when an Isolation selects it for that direction (Kubernetes).

import type { Direction, Isolation, Policy, Workload } from "../model.js";
import { matchNamespace, matchSelector } from "../selector.js";

export interface ChainDefault {
  readonly default: "allow" | "deny";
  /** A sentence for explain. */
  readonly reason: string;
  readonly isolation?: Isolation;
}

export function chainDefault(policy: Policy, w: Workload, direction: Direction): ChainDefault {
  if (w.namespace === undefined) {
    return { default: "deny", reason: "no rule matches; native workloads are default-deny" };
  }
  const iso = policy.isolation.find(
    (i) =>
      i.directions.includes(direction) &&
      matchSelector(i.selector, w.labels) &&
      matchNamespace(i.namespaceSelector, w.namespace, w.namespaceLabels),
  );
  if (iso !== undefined) {
    return {
      default: "deny",
      reason: `no rule matches; isolation ${iso.id} makes ${direction} default-deny`,
      isolation: iso,
    };
  }
  return {
    default: "allow",
    reason: `no rule matches; no isolation selects this namespaced workload for ${direction}`,
  };
}
