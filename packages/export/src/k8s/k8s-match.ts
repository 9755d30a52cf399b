// Does a Kubernetes label selector select these labels? The API server's meaning: matchLabels
// and every matchExpressions entry must hold; NotIn and DoesNotExist hold for an absent key.
// Used to check the artifact itself (which objects select no pod of the inventory).

import type { Labels } from "@microseg/core";
import type { LabelSelector } from "./k8s-types.js";

export function selectsLabels(selector: LabelSelector, labels: Labels): boolean {
  const has = (key: string) => Object.hasOwn(labels, key);
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (!has(key) || labels[key] !== value) return false;
  }
  for (const e of selector.matchExpressions ?? []) {
    const present = has(e.key);
    const inValues = present && (e.values ?? []).includes(labels[e.key] as string);
    const ok =
      e.operator === "In"
        ? inValues
        : e.operator === "NotIn"
          ? !inValues
          : e.operator === "Exists"
            ? present
            : !present;
    if (!ok) return false;
  }
  return true;
}
