// Questions exporters ask of the model and the inventory: who a rule side selects, which
// addresses a peer covers, whether a Kubernetes workload is isolated. Semantics follow
// docs/design/compiler.md ("Semantics"). The matching itself is core's; this file phrases it
// as the questions exporters ask.

import {
  matchSelector as coreMatchSelector,
  type Direction,
  type Labels,
  type Peer,
  type Policy,
  type Rule,
  type Selector,
  type Workload,
} from "@microseg/core";
import { ALL_RANGES, hostCidr, type Ranges, subtract, toRanges, union } from "./cidr.js";

/** An absent selector (no scope) matches everything. */
export function matchSelector(s: Selector | undefined, labels: Labels): boolean {
  return s === undefined || coreMatchSelector(s, labels);
}

/** Does the peer select this workload by label (under the rule's scope)? */
export function peerSelects(peer: Peer, scope: Selector | undefined, w: Workload): boolean {
  if (peer.kind === "ipList" || peer.kind === "cidrs") return false;
  if (!matchSelector(scope, w.labels)) return false;
  if (peer.kind === "any") return true;
  if (!matchSelector(peer.selector, w.labels)) return false;
  if (peer.namespaceSelector === undefined) return true;
  return (
    w.namespace !== undefined && matchSelector(peer.namespaceSelector, w.namespaceLabels ?? {})
  );
}

export function sideSelects(peers: readonly Peer[], scope: Selector | undefined, w: Workload) {
  return peers.some((p) => peerSelects(p, scope, w));
}

/** Unscoped `any`: every address, not only workloads. */
export function isOpenAny(peers: readonly Peer[], scope: Selector | undefined): boolean {
  return scope === undefined && peers.some((p) => p.kind === "any");
}

/** The workloads a rule binds in a direction: inbound at `to`, outbound at `from`. */
export function boundWorkloads(rule: Rule, direction: Direction, inventory: readonly Workload[]) {
  const side = direction === "inbound" ? rule.to : rule.from;
  return inventory.filter((w) => w.managed && sideSelects(side, rule.scope, w));
}

/** The addresses one peer covers (selected workloads' addresses, IP lists, CIDRs). */
export function peerRanges(
  peer: Peer,
  scope: Selector | undefined,
  policy: Policy,
  inventory: readonly Workload[],
): Ranges {
  switch (peer.kind) {
    case "any":
      if (scope === undefined) return ALL_RANGES;
      return workloadRanges(inventory.filter((w) => peerSelects(peer, scope, w)));
    case "workloads":
      return workloadRanges(inventory.filter((w) => peerSelects(peer, scope, w)));
    case "ipList": {
      const list = policy.ipLists[peer.name];
      return list === undefined ? toRanges([]) : minus(list.include, list.except);
    }
    case "cidrs":
      return minus(peer.include, peer.except);
  }
}

export function sideRanges(
  peers: readonly Peer[],
  scope: Selector | undefined,
  policy: Policy,
  inventory: readonly Workload[],
): Ranges {
  return peers
    .map((p) => peerRanges(p, scope, policy, inventory))
    .reduce((a, b) => union(a, b), toRanges([]));
}

export function workloadRanges(ws: readonly Workload[]): Ranges {
  return toRanges(ws.flatMap((w) => w.addresses.map(hostCidr)));
}

function minus(include: readonly string[], except: readonly string[]): Ranges {
  return subtract(toRanges(include), toRanges(except));
}

/** Kubernetes semantics: is this namespaced workload default-deny in this direction? */
export function isIsolated(w: Workload, direction: Direction, policy: Policy): boolean {
  if (w.namespace === undefined) return true;
  return policy.isolation.some(
    (i) =>
      i.directions.includes(direction) &&
      matchSelector(i.selector, w.labels) &&
      (i.namespaceSelector === undefined ||
        matchSelector(i.namespaceSelector, w.namespaceLabels ?? {})),
  );
}

/** Labels of every namespace the inventory knows, by name. */
export function namespacesOf(inventory: readonly Workload[]): Map<string, Labels> {
  const out = new Map<string, Labels>();
  for (const w of inventory) {
    if (w.namespace !== undefined && !out.has(w.namespace)) {
      out.set(w.namespace, w.namespaceLabels ?? {});
    }
  }
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
