// Selectors -> Kubernetes label selectors. Both are all-of lists of the same four operators with
// the same meaning (NotIn and DoesNotExist hold when the key is absent). A conjunction of several
// selectors is first folded per key (selector-math.ts), so `app=web ∧ app=db` is seen to select
// nothing instead of being written as a selector no pod satisfies.

import type { Selector } from "@microseg/core";
import { conjoin } from "../selector-math.js";
import type { LabelSelector } from "./k8s-types.js";

const OPERATORS = {
  in: "In",
  notin: "NotIn",
  exists: "Exists",
  notexists: "DoesNotExist",
} as const;

/** The conjunction of `parts`; undefined when no labels satisfy it (write nothing for it). */
export function labelSelector(...parts: (Selector | undefined)[]): LabelSelector | undefined {
  const all = conjoin(...parts);
  if (all === undefined) return undefined;
  const matchLabels: Record<string, string> = {};
  const matchExpressions: NonNullable<LabelSelector["matchExpressions"]> = [];
  for (const m of all.match) {
    if (m.op === "in" && m.values.length === 1) matchLabels[m.key] = m.values[0] as string;
    else if ("values" in m) {
      matchExpressions.push({ key: m.key, operator: OPERATORS[m.op], values: [...m.values] });
    } else matchExpressions.push({ key: m.key, operator: OPERATORS[m.op] });
  }
  const out: LabelSelector = {};
  if (Object.keys(matchLabels).length > 0) out.matchLabels = matchLabels;
  if (matchExpressions.length > 0) out.matchExpressions = matchExpressions;
  return out;
}
