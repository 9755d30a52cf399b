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
import { fnv32 } from "../rows.js";
import type { GroupRegistry } from "./aws-groups.js";
import { type SgPort, sgPorts } from "./aws-ports.js";

export type SgRule = Record<string, string | number>;

export interface RuleContext {
  readonly policy: Policy;
  readonly inventory: readonly Workload[];
  readonly groups: GroupRegistry;
  readonly log: FidelityLog;
}

type Target = { group: string } | { cidr: string };

export function sgRules(
  rule: Rule,
  dir: Direction,
  plan: AllowPlan,
  ctx: RuleContext,
): [string, SgRule][] {
  const ports = sgPorts(plan.services, rule.id, ctx.log);
  const remote = (dir === "inbound" ? rule.from : rule.to).flatMap((p) =>
    targets(p, rule, plan.except, ctx),
  );
  const out: [string, SgRule][] = [];
  for (const local of dir === "inbound" ? rule.to : rule.from) {
    const group = ctx.groups.forPeer(local, rule);
    if (group === undefined) continue;
    for (const t of remote) {
      for (const port of ports) {
        if (!fitsFamily(port, t)) continue;
        const body = resource(group.resource, t, port, rule.id);
        out.push([`${dir === "inbound" ? "in" : "eg"}_${fnv32(JSON.stringify(body))}`, body]);
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

function resource(group: string, t: Target, port: SgPort, ruleId: string): SgRule {
  const { family: _family, ...proto } = port;
  const peer: SgRule =
    "group" in t
      ? { referenced_security_group_id: `\${aws_security_group.${t.group}.id}` }
      : familyOf(t.cidr) === 4
        ? { cidr_ipv4: t.cidr }
        : { cidr_ipv6: t.cidr };
  return {
    security_group_id: `\${aws_security_group.${group}.id}`,
    ...proto,
    ...peer,
    description: description(ruleId),
  };
}

/** Rule descriptions allow a limited character set and 255 characters. */
function description(ruleId: string): string {
  return `microseg ${ruleId}`.replace(/[^a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]/g, "_").slice(0, 255);
}
