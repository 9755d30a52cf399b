// One allow rule in one direction -> security group rule resources:
//   ingress on the group of each `to` peer / egress on the group of each `from` peer, towards
//   the remote side: a referenced group for label peers (plus the addresses of selected
//   workloads no group can hold: unmanaged hosts and pods, a snapshot), CIDRs for IP lists,
//   inline CIDRs and an unscoped `any` (0.0.0.0/0, ::/0), minus what an override-deny cut out.

import type { Direction, Peer, Policy, Rule, Workload } from "@microseg/core";
import { familyOf, type Ranges, subtract, toCidrs } from "../cidr.js";
import type { AllowPlan } from "../deny-plan.js";
import type { FidelityLog } from "../fidelity.js";
import { peerRanges, peerSelects, workloadRanges } from "../model-view.js";
import type { GroupRegistry } from "./aws-groups.js";
import { type SgPort, sgPorts } from "./aws-ports.js";

/** One security group rule, before a target (Terraform, CloudFormation) spells it. */
export interface SgRule {
  readonly direction: Direction;
  /** The group the rule belongs to (its resource name). */
  readonly group: string;
  readonly peer: Target;
  readonly port: SgPort;
  /** The allows it carries (several when they need the same rule: AWS refuses duplicates). */
  readonly ruleIds: readonly string[];
}

export interface RuleContext {
  readonly policy: Policy;
  readonly inventory: readonly Workload[];
  readonly groups: GroupRegistry;
  readonly log: FidelityLog;
}

/** A referenced group (resource name) or one CIDR. */
export type Target = { readonly group: string } | { readonly cidr: string };

export function sgRules(rule: Rule, dir: Direction, plan: AllowPlan, ctx: RuleContext): SgRule[] {
  const ports = sgPorts(plan.services, rule.id, ctx.log);
  const remote = (dir === "inbound" ? rule.from : rule.to).flatMap((p) =>
    targets(p, rule, plan.except, ctx),
  );
  const out: SgRule[] = [];
  for (const local of dir === "inbound" ? rule.to : rule.from) {
    const group = ctx.groups.forPeer(local, rule);
    if (group === undefined) continue;
    for (const t of remote) {
      for (const port of ports) {
        if (!fitsFamily(port, t)) continue;
        out.push({ direction: dir, group: group.resource, peer: t, port, ruleIds: [rule.id] });
      }
    }
  }
  return out;
}

function targets(peer: Peer, rule: Rule, except: Ranges, ctx: RuleContext): Target[] {
  if (
    (peer.kind === "any" && rule.scope === undefined) ||
    peer.kind === "ipList" ||
    peer.kind === "cidrs"
  ) {
    const ranges = subtract(peerRanges(peer, rule.scope, ctx.policy, ctx.inventory), except);
    return toCidrs(ranges).map((cidr) => ({ cidr }));
  }
  const group = ctx.groups.forPeer(peer, rule);
  const outside = ctx.inventory.filter(
    (w) => (!w.managed || w.namespace !== undefined) && peerSelects(peer, rule.scope, w),
  );
  if (outside.length > 0) {
    ctx.log.add(
      "approximated",
      `unattachable workloads selected by rule ${rule.id}`,
      "unmanaged hosts and pods carry no security group, so their addresses are written instead: a snapshot that follows label changes only when exported again",
      `CIDRs for ${outside.map((w) => w.name).join(", ")}`,
      [rule.id],
    );
  }
  const cidrs = toCidrs(workloadRanges(outside)).map((cidr) => ({ cidr }));
  return [...(group ? [{ group: group.resource }] : []), ...cidrs];
}

function fitsFamily(port: SgPort, t: Target): boolean {
  return port.family === undefined || !("cidr" in t) || familyOf(t.cidr) === port.family;
}
