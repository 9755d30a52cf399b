// Selector matching (Kubernetes label-selector semantics) and canonical selector keys.

import type { LabelMatch, Labels, Selector } from "./model.js";

/**
 * The value of label `key`, undefined when the workload has no such label. Label keys are user
 * input: `labels[key]` would answer Object.prototype's members for `constructor`, `__proto__`…
 */
export function labelValue(labels: Labels, key: string): string | undefined {
  return Object.hasOwn(labels, key) ? labels[key] : undefined;
}

/** Does one requirement hold? `notin`/`notexists` hold when the key is absent. */
export function matchLabel(m: LabelMatch, labels: Labels): boolean {
  const value = labelValue(labels, m.key);
  switch (m.op) {
    case "exists":
      return value !== undefined;
    case "notexists":
      return value === undefined;
    case "in":
      return value !== undefined && m.values.includes(value);
    case "notin":
      return value === undefined || !m.values.includes(value);
  }
}

/** All-of: every requirement must hold. The empty selector matches everything. */
export function matchSelector(s: Selector, labels: Labels): boolean {
  for (const m of s.match) if (!matchLabel(m, labels)) return false;
  return true;
}

/** A namespace selector never matches a workload outside a namespace. */
export function matchNamespace(
  s: Selector | undefined,
  namespace: string | undefined,
  namespaceLabels: Labels | undefined,
): boolean {
  if (s === undefined) return true;
  return namespace !== undefined && matchSelector(s, namespaceLabels ?? {});
}

/** Canonical text of a selector: equal meaning of the same requirements => equal key. */
export function selectorKey(s: Selector | undefined): string {
  if (s === undefined) return "-";
  const parts = s.match.map((m) =>
    "values" in m ? `${m.key} ${m.op} ${[...m.values].sort().join(",")}` : `${m.key} ${m.op}`,
  );
  return `{${parts.sort().join(";")}}`;
}

/** Keys a selector looks at (for explaining which labels matched). */
export function selectorKeys(s: Selector | undefined): string[] {
  return s === undefined ? [] : s.match.map((m) => m.key);
}
