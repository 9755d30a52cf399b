// The remote side of a rule -> NetworkPolicy peers.
//   unscoped any        -> no from/to field (every source/destination); with addresses cut out by
//                          an override-deny: ipBlock 0.0.0.0/0 and ::/0 with except
//   scoped any          -> pods of the scope in every namespace (+ native workloads' addresses)
//   workloads selector  -> namespaceSelector (or {} = every namespace) + podSelector
//                          (+ addresses of selected native workloads: a snapshot)
//   ipList / cidrs      -> ipBlock per CIDR, with its exceptions inside it

import type { Peer, Policy, Rule, Workload } from "@microseg/core";
import { intersect, isEmpty, type Ranges, subtract, toCidrs, toRanges } from "../cidr.js";
import type { FidelityLog } from "../fidelity.js";
import { peerSelects, workloadRanges } from "../model-view.js";
import { labelSelector } from "./k8s-selector.js";
import type { NetworkPolicyPeer } from "./k8s-types.js";

export interface PeerContext {
  readonly rule: Rule;
  readonly policy: Policy;
  readonly inventory: readonly Workload[];
  readonly except: Ranges;
  readonly log: FidelityLog;
}

/** undefined: every peer (the field is left out). */
export function networkPolicyPeers(
  peers: readonly Peer[],
  ctx: PeerContext,
): NetworkPolicyPeer[] | undefined {
  const out: NetworkPolicyPeer[] = [];
  for (const peer of peers) {
    if (peer.kind === "any" && ctx.rule.scope === undefined) {
      if (isEmpty(ctx.except)) return undefined;
      out.push(...ipBlocks(["0.0.0.0/0", "::/0"], [], ctx));
      continue;
    }
    if (peer.kind === "ipList") {
      const list = ctx.policy.ipLists[peer.name];
      if (list !== undefined) out.push(...ipBlocks(list.include, list.except, ctx));
      continue;
    }
    if (peer.kind === "cidrs") {
      out.push(...ipBlocks(peer.include, peer.except, ctx));
      continue;
    }
    const sel = peer.kind === "workloads" ? peer.selector : undefined;
    const nsSel = peer.kind === "workloads" ? peer.namespaceSelector : undefined;
    const namespaceSelector = labelSelector(nsSel);
    const podSelector = labelSelector(sel, ctx.rule.scope);
    // a peer whose selectors nothing satisfies selects no pod: it adds nothing to the rule
    if (namespaceSelector !== undefined && podSelector !== undefined) {
      out.push({ namespaceSelector, podSelector });
    }
    out.push(...nativeAddresses(peer, ctx));
  }
  return out;
}

function ipBlocks(
  include: readonly string[],
  except: readonly string[],
  ctx: PeerContext,
): NetworkPolicyPeer[] {
  const out: NetworkPolicyPeer[] = [];
  const cut = toRanges(except);
  for (const cidr of include) {
    const whole = toRanges([cidr]);
    const inside = intersect(whole, {
      v4: [...cut.v4, ...ctx.except.v4],
      v6: [...cut.v6, ...ctx.except.v6],
    });
    if (isEmpty(subtract(whole, inside))) continue;
    const exceptCidrs = toCidrs(inside);
    out.push({ ipBlock: exceptCidrs.length > 0 ? { cidr, except: exceptCidrs } : { cidr } });
    notePodAddresses(subtract(whole, inside), cidr, ctx);
  }
  return out;
}

/** ipBlock matching of pod IPs is implementation-defined in Kubernetes: say so when it matters. */
function notePodAddresses(range: Ranges, cidr: string, ctx: PeerContext): void {
  const pods = ctx.inventory.filter((w) => w.namespace !== undefined);
  if (isEmpty(intersect(range, workloadRanges(pods)))) return;
  ctx.log.add(
    "approximated",
    `ipBlock ${cidr} of rule ${ctx.rule.id}`,
    "it holds pod addresses, and whether a NetworkPolicy ipBlock matches pod traffic is up to the network plugin (possibly stricter)",
    "written as ipBlock; select those pods by label to be sure",
    [ctx.rule.id],
  );
}

/** Native workloads (no namespace) a pod selector cannot reach: their addresses, at export time. */
function nativeAddresses(peer: Peer, ctx: PeerContext): NetworkPolicyPeer[] {
  const natives = ctx.inventory.filter(
    (w) => w.namespace === undefined && peerSelects(peer, ctx.rule.scope, w),
  );
  if (natives.length === 0) return [];
  ctx.log.add(
    "approximated",
    `native workloads selected by rule ${ctx.rule.id}`,
    "they are not pods, so no pod selector reaches them; their addresses are written instead, a snapshot that follows label changes only when exported again",
    `ipBlock for ${natives.map((w) => w.name).join(", ")}`,
    [ctx.rule.id],
  );
  return toCidrs(workloadRanges(natives)).map((cidr) => ({ ipBlock: { cidr } }));
}
