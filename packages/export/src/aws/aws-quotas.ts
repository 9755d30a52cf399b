// AWS quotas the plan must fit, checked before anything is written (an apply that fails half
// way leaves a VPC half changed). AWS counts, per security group and direction, IPv4 and IPv6
// rules separately; a rule that references a group counts once in each. Every violation is
// listed in one error, each naming the group or instance, the count and the quota.

import { familyOf } from "../cidr.js";
import { AWS_QUOTAS, type AwsQuotas, ExportQuotaError } from "../types.js";
import type { SgPlan } from "./aws-plan.js";

/** `fixedEgress`: rules a renderer adds to every group's IPv4 egress (CloudFormation: 1). */
export function checkQuotas(
  plan: SgPlan,
  given: Partial<AwsQuotas> | undefined,
  fixedEgress: number,
): void {
  const q = { ...AWS_QUOTAS, ...given };
  const problems: string[] = [];
  const counts = new Map<string, number>();
  const bump = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  for (const r of plan.rules) {
    const families = "group" in r.peer ? [4, 6] : [familyOf(r.peer.cidr)];
    for (const f of families) bump(`${r.group}\u0000${r.direction}\u0000${f}`);
  }
  for (const g of plan.groups) {
    for (const dir of ["inbound", "outbound"] as const) {
      for (const f of [4, 6]) {
        const extra = dir === "outbound" && f === 4 ? fixedEgress : 0;
        const n = (counts.get(`${g.resource}\u0000${dir}\u0000${f}`) ?? 0) + extra;
        if (n > q.rulesPerGroup) {
          problems.push(
            `security group ${g.resource} (${g.text}) needs ${n} ${dir} IPv${f} rules, over the quota of ${q.rulesPerGroup} rules per security group (--aws-rules-per-group)`,
          );
        }
      }
    }
  }
  for (const [name, groups] of plan.attachments) {
    if (groups.length > q.groupsPerInterface) {
      problems.push(
        `instance ${name} needs ${groups.length} security groups (${groups.map((g) => g.resource).join(", ")}), over the quota of ${q.groupsPerInterface} security groups per network interface (--aws-groups-per-interface)`,
      );
    }
  }
  if (problems.length === 0) return;
  throw new ExportQuotaError(
    `the export exceeds AWS quotas:\n  ${problems.join("\n  ")}\nAsk AWS to raise the quota and pass the new value with the option named, or make the policy need fewer rules or groups (fewer distinct CIDRs and port ranges; fewer label sets selecting one instance)`,
  );
}
