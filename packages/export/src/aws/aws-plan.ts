// The security groups a policy needs, before a target spells them (aws-terraform.ts,
// aws-cfn.ts): groups, their rules and each instance's attachments, with the fidelity log.
// Security groups are allow-only, stateful and deny by default both ways once the template owns
// the group (each renderer removes AWS's default allow-all egress rule its own way): the native
// workloads' semantics.

import type { Workload } from "@microseg/core";
import { NO_RANGES } from "../cidr.js";
import { planOverrideDenies } from "../deny-plan.js";
import { FidelityLog } from "../fidelity.js";
import type { ExportInput } from "../types.js";
import { type Group, GroupRegistry } from "./aws-groups.js";
import { type SgRule, sgRules } from "./aws-rules.js";

export interface SgPlan {
  readonly groups: readonly Group[];
  /** Distinct rules, in a stable order. */
  readonly rules: readonly SgRule[];
  /** Managed native workload -> its groups, by name order. */
  readonly attachments: ReadonlyMap<string, readonly Group[]>;
  readonly log: FidelityLog;
}

/** `attachedBy`: where the artifact lists each instance's groups, for the report. */
export function planSecurityGroups(input: ExportInput, attachedBy: string): SgPlan {
  const { policy } = input;
  const workloads = [...input.workloads].sort((a, b) => (a.name < b.name ? -1 : 1));
  const log = new FidelityLog();
  noteAwsLimits(workloads, policy.rules, attachedBy, log);
  const plans = planOverrideDenies(policy, workloads, log, "security groups");
  const groups = new GroupRegistry();
  const ctx = { policy, inventory: workloads, groups, log };
  const rules = new Map<string, SgRule>();
  for (const rule of policy.rules.filter((r) => r.action === "allow")) {
    for (const dir of ["inbound", "outbound"] as const) {
      const plan = plans.get(rule.id)?.[dir] ?? {
        services: rule.services,
        except: NO_RANGES,
        drop: false,
      };
      if (plan.drop) continue;
      for (const r of sgRules(rule, dir, plan, ctx)) {
        const key = ruleKey(r);
        const seen = rules.get(key);
        rules.set(key, seen ? { ...seen, ruleIds: [...seen.ruleIds, ...r.ruleIds] } : r);
      }
    }
  }
  return {
    groups: groups.all(workloads),
    rules: [...rules.values()],
    attachments: groups.attachments(workloads),
    log,
  };
}

/** Two allows that need the same rule (group, peer, protocol, ports) share it. */
function ruleKey(r: SgRule): string {
  const { ruleIds: _ids, ...rest } = r;
  return JSON.stringify(rest);
}

function noteAwsLimits(
  workloads: readonly Workload[],
  rules: ExportInput["policy"]["rules"],
  attachedBy: string,
  log: FidelityLog,
): void {
  const pods = workloads.filter((w) => w.managed && w.namespace !== undefined).map((w) => w.name);
  if (pods.length > 0) {
    log.add(
      "dropped",
      `pods ${pods.join(", ")}`,
      "they run in Kubernetes, where security groups do not follow pod labels",
      "not exported; export them with --to k8s",
    );
  }
  for (const w of workloads.filter(
    (x) => x.managed && x.namespace === undefined && x.mode !== "enforce",
  )) {
    log.add(
      "approximated",
      `workload ${w.name} (mode ${w.mode})`,
      `security groups have no ${w.mode} mode: they always enforce (stricter)`,
      "enforced",
    );
  }
  for (const r of rules.filter((x) => x.action === "deny")) {
    log.add(
      "exact",
      `deny ${r.id}`,
      "security groups deny by default and a deny never beats an allow",
      "nothing written: the default says it",
      [r.id],
    );
  }
  log.add(
    "exact",
    "group membership",
    "instances join security groups by attachment, not by label; an instance with no group would get the VPC's default group, which allows more",
    `${attachedBy} lists each instance's groups for the inventory exported (mseg_no_rules, a group without rules, for an instance no rule selects); attach every instance, new ones too, the same way`,
  );
}
