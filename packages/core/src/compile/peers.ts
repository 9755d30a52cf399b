// Peer matching: which workloads a rule side selects, under the rule's scope.

import type { Peer, Rule, Selector, Workload } from "../model.js";
import { matchNamespace, matchSelector, selectorKey } from "../selector.js";

/** An unscoped `any` peer: every address, not only workloads. */
export function isOpenAny(peers: readonly Peer[], scope: Selector | undefined): boolean {
  return scope === undefined && peers.some((p) => p.kind === "any");
}

/**
 * Does this peer select the workload? `any` inside a scope means "any workload of the scope";
 * an unscoped `any` matches every workload. ipList/cidrs peers never select by label. A
 * quarantined workload is selected by nothing.
 */
export function peerSelects(peer: Peer, scope: Selector | undefined, w: Workload): boolean {
  if (w.quarantine !== undefined) return false;
  if (peer.kind === "ipList" || peer.kind === "cidrs") return false;
  if (scope !== undefined && !matchSelector(scope, w.labels)) return false;
  if (peer.kind === "any") return true;
  return (
    matchSelector(peer.selector, w.labels) &&
    matchNamespace(peer.namespaceSelector, w.namespace, w.namespaceLabels)
  );
}

/** Any-of the side's peers. */
export function sideSelects(peers: readonly Peer[], scope: Selector | undefined, w: Workload) {
  for (const p of peers) if (peerSelects(p, scope, w)) return true;
  return false;
}

/** The side's selecting peer for a workload, if any (explain reports its labels). */
export function selectingPeer(rule: Rule, side: "from" | "to", w: Workload): Peer | undefined {
  return rule[side].find((p) => peerSelects(p, rule.scope, w));
}

/** Canonical key of a peer under a scope: equal keys select equal workloads and addresses. */
export function peerKey(peer: Peer, scope: Selector | undefined): string {
  const s = selectorKey(scope);
  switch (peer.kind) {
    case "any":
      return `any@${s}`;
    case "workloads":
      return `w${selectorKey(peer.selector)}ns${selectorKey(peer.namespaceSelector)}@${s}`;
    case "ipList":
      return `l:${peer.name}`;
    case "cidrs":
      return `c:${peer.include.join(",")}-${peer.except.join(",")}`;
  }
}

export function sideKey(peers: readonly Peer[], scope: Selector | undefined): string {
  return peers
    .map((p) => peerKey(p, scope))
    .sort()
    .join("|");
}
