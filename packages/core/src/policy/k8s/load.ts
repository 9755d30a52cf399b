// Kubernetes documents -> model rules and isolation. A document is a NetworkPolicy, or a
// `kind: List` / `NetworkPolicyList` whose items are NetworkPolicies. A NetworkPolicy is named by
// namespace/name, which must be unique across every file given (as in a cluster).

import type { Diagnostic } from "../../diagnostics.js";
import type { Isolation, Rule } from "../../model.js";
import { show } from "../show.js";
import type { ParsedDocument } from "../yaml-lines.js";
import { API_VERSION, readNetworkPolicy } from "./network-policy.js";
import { itemDocument, Reporter } from "./reporter.js";

export interface KubernetesPolicy {
  readonly rules: Rule[];
  readonly isolation: Isolation[];
  readonly diagnostics: Diagnostic[];
}

const LIST_KINDS = new Set(["List", "NetworkPolicyList"]);

/** Whether a document is one the Kubernetes reader takes (others are native or foreign). */
export function isKubernetesDocument(value: unknown): boolean {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const kind = (value as Record<string, unknown>).kind;
  return kind === "NetworkPolicy" || (typeof kind === "string" && LIST_KINDS.has(kind));
}

export function loadKubernetes(docs: readonly ParsedDocument[]): KubernetesPolicy {
  const out: KubernetesPolicy = { rules: [], isolation: [], diagnostics: [] };
  const seen = new Map<string, string>();
  for (const doc of docs) {
    for (const item of networkPolicies(doc, out.diagnostics)) {
      const r = new Reporter(item);
      const read = readNetworkPolicy(r, item.value as Record<string, unknown>);
      out.diagnostics.push(...r.diagnostics);
      if (read === undefined) continue;
      const key = `${read.meta.namespace}/${read.meta.name}`;
      const where = `${item.file}:${item.lineAt(["metadata", "name"]) ?? 1}`;
      const first = seen.get(key);
      if (first !== undefined) {
        r.report(
          ["metadata", "name"],
          "MSEG_POLICY_DUPLICATE_NAME",
          `NetworkPolicy ${key} is already defined at ${first}; a namespace holds one NetworkPolicy of each name, so rename or remove one of them`,
        );
        out.diagnostics.push(...r.diagnostics.slice(-1));
        continue;
      }
      seen.set(key, where);
      out.rules.push(...read.rules);
      out.isolation.push(read.isolation);
    }
  }
  return out;
}

/** The NetworkPolicy objects of a document: itself, or the items of a list. */
function networkPolicies(doc: ParsedDocument, diagnostics: Diagnostic[]): ParsedDocument[] {
  const value = doc.value as Record<string, unknown>;
  if (value.kind === "NetworkPolicy") return [doc];
  const r = new Reporter(doc);
  r.fields(value, [], `a ${String(value.kind)}`, ["apiVersion", "kind", "metadata", "items"]);
  const version = value.kind === "List" ? "v1" : API_VERSION;
  if (value.apiVersion !== version) {
    r.report(
      ["apiVersion"],
      "MSEG_POLICY_INVALID_VALUE",
      `a ${String(value.kind)} has \`apiVersion: ${version}\`, not \`${show(value.apiVersion)}\`; write that`,
    );
  }
  const items =
    r.list(
      value.items,
      ["items"],
      "`[{ apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, … }]`",
    ) ?? [];
  const out: ParsedDocument[] = [];
  items.forEach((item, i) => {
    // Items of a typed list may leave out their apiVersion and kind.
    const typed = value.kind === "NetworkPolicyList" && isMap(item) && item.kind === undefined;
    const obj = typed ? { apiVersion: API_VERSION, ...item, kind: "NetworkPolicy" } : item;
    if (isMap(obj) && obj.kind === "NetworkPolicy") out.push(itemDocument(doc, i, obj));
    else {
      const kind =
        isMap(obj) && typeof obj.kind === "string"
          ? `a \`${obj.kind}\``
          : "not a Kubernetes object";
      r.report(
        ["items", i, ...(isMap(obj) ? ["kind"] : [])],
        "MSEG_POLICY_UNSUPPORTED_KIND",
        `this item is ${kind}; only NetworkPolicy items are read, so remove it from the list`,
      );
    }
  });
  diagnostics.push(...r.diagnostics);
  return out;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
