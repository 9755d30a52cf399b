// Selectors -> Kubernetes label selectors. Both are all-of lists of the same four operators with
// the same meaning (NotIn and DoesNotExist hold when the key is absent), so this is exact; a
// conjunction of several selectors is the concatenation of their requirements.

import type { LabelMatch, Selector } from "@microseg/core";
import type { LabelSelector } from "./k8s-types.js";

const OPERATORS = {
  in: "In",
  notin: "NotIn",
  exists: "Exists",
  notexists: "DoesNotExist",
} as const;

export function labelSelector(...parts: (Selector | undefined)[]): LabelSelector {
  const unique = new Map<string, LabelMatch>();
  for (const m of parts.flatMap((p) => (p === undefined ? [] : p.match))) {
    unique.set(JSON.stringify("values" in m ? { ...m, values: [...m.values].sort() } : m), m);
  }
  const all = [...unique.values()];
  const counts = new Map<string, number>();
  for (const m of all) counts.set(m.key, (counts.get(m.key) ?? 0) + 1);
  const matchLabels: Record<string, string> = {};
  const matchExpressions: NonNullable<LabelSelector["matchExpressions"]> = [];
  for (const m of [...all].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
    const single = m.op === "in" && m.values.length === 1 && counts.get(m.key) === 1;
    if (single) matchLabels[m.key] = m.values[0] as string;
    else if ("values" in m) {
      matchExpressions.push({
        key: m.key,
        operator: OPERATORS[m.op],
        values: [...m.values].sort(),
      });
    } else matchExpressions.push({ key: m.key, operator: OPERATORS[m.op] });
  }
  const out: LabelSelector = {};
  if (Object.keys(matchLabels).length > 0) out.matchLabels = matchLabels;
  if (matchExpressions.length > 0) out.matchExpressions = matchExpressions;
  return out;
}
