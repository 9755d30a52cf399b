// NetworkPolicy names: DNS-1123 labels derived from the rule id, with a hash of what makes the
// object distinct, so names stay stable across exports of the same policy.

import { fnv32 } from "../rows.js";

export function objectName(id: string, type: string, key: string): string {
  const slug = id
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
  return `mseg-${slug || "rule"}-${type === "Ingress" ? "in" : type === "Egress" ? "eg" : "iso"}-${fnv32(`${id}|${type}|${key}`)}`;
}
