// Isolation entries -> deny-by-default NetworkPolicies, and where (namespace x isolation) an
// allow's local side needs its own object. NetworkPolicy is namespaced: objects are written into
// each namespace of the inventory that a namespace selector covers.

import type { Direction, Isolation, Labels, Peer, Policy } from "@microseg/core";
import type { FidelityLog } from "../fidelity.js";
import { matchSelector } from "../model-view.js";
import { objectName } from "./k8s-names.js";
import { labelSelector } from "./k8s-selector.js";
import type { NetworkPolicy } from "./k8s-types.js";

type Namespaces = ReadonlyMap<string, Labels>;

export function isolationObjects(
  policy: Policy,
  namespaces: Namespaces,
  log: FidelityLog,
): NetworkPolicy[] {
  const out: NetworkPolicy[] = [];
  for (const iso of policy.isolation) {
    const podSelector = labelSelector(iso.selector);
    if (podSelector === undefined) {
      log.add(
        "exact",
        `isolation ${iso.id}`,
        "no labels satisfy its selector, so it isolates no pod",
        "nothing written",
        [iso.id],
      );
      continue;
    }
    const names = [...namespaces].filter(([, labels]) =>
      matchSelector(iso.namespaceSelector, labels),
    );
    const types = iso.directions
      .map((d): "Ingress" | "Egress" => (d === "inbound" ? "Ingress" : "Egress"))
      .sort();
    for (const [namespace] of names) {
      out.push({
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: {
          name: objectName(iso.id, "Isolation", namespace),
          namespace,
          annotations: { "microseg.io/isolation": iso.id },
        },
        spec: { podSelector, policyTypes: types },
      });
    }
    log.add(
      "exact",
      `isolation ${iso.id}`,
      "NetworkPolicy is namespaced",
      `written into ${names.length} namespace(s) known at export (${names.map(([n]) => n).join(", ") || "none"}); a new namespace needs a new export`,
      [iso.id],
    );
  }
  return out;
}

export interface NamespaceScope {
  readonly namespace: string;
  /** The local peer's pod selector (undefined for `any`). */
  readonly selector?: import("@microseg/core").Selector;
  readonly isolation: Isolation;
  readonly key: string;
}

/** Where a local peer of an allow needs an object: namespaces it covers x isolations there. */
export function scopesFor(
  peer: Peer,
  dir: Direction,
  policy: Policy,
  namespaces: Namespaces,
): NamespaceScope[] {
  if (peer.kind === "ipList" || peer.kind === "cidrs") return [];
  const selector = peer.kind === "workloads" ? peer.selector : undefined;
  const nsSelector = peer.kind === "workloads" ? peer.namespaceSelector : undefined;
  const out: NamespaceScope[] = [];
  for (const [namespace, labels] of namespaces) {
    if (!matchSelector(nsSelector, labels)) continue;
    for (const isolation of policy.isolation) {
      if (
        !isolation.directions.includes(dir) ||
        !matchSelector(isolation.namespaceSelector, labels)
      )
        continue;
      const key = `${namespace}|${JSON.stringify(selector ?? null)}|${JSON.stringify(nsSelector ?? null)}`;
      out.push({ namespace, ...(selector ? { selector } : {}), isolation, key });
    }
  }
  return out;
}
