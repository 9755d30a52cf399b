// `--to aws-sg`: AWS security groups as Terraform JSON (docs/export.md, "aws-sg").
// Security groups are allow-only, stateful and deny by default both ways once Terraform owns
// the group (it removes AWS's default allow-all egress rule): the native workloads' semantics.

import type { Workload } from "@microseg/core";
import { NO_RANGES } from "../cidr.js";
import { planOverrideDenies } from "../deny-plan.js";
import { FidelityLog } from "../fidelity.js";
import type { ExportInput, ExportOptions, ExportResult } from "../types.js";
import { GroupRegistry } from "./aws-groups.js";
import { type SgRule, sgRules } from "./aws-rules.js";

export function exportAwsSg(input: ExportInput, _options: ExportOptions = {}): ExportResult {
  const { policy } = input;
  const workloads = [...input.workloads].sort((a, b) => (a.name < b.name ? -1 : 1));
  const log = new FidelityLog();
  noteAwsLimits(workloads, policy.rules, log);
  const plans = planOverrideDenies(policy, workloads, log, "security groups");
  const groups = new GroupRegistry();
  const ctx = { policy, inventory: workloads, groups, log };
  const ingress: Record<string, SgRule> = {};
  const egress: Record<string, SgRule> = {};
  for (const rule of policy.rules.filter((r) => r.action === "allow")) {
    for (const dir of ["inbound", "outbound"] as const) {
      const plan = plans.get(rule.id)?.[dir] ?? {
        services: rule.services,
        except: NO_RANGES,
        drop: false,
      };
      if (plan.drop) continue;
      for (const [name, body] of sgRules(rule, dir, plan, ctx)) {
        (dir === "inbound" ? ingress : egress)[name] = body;
      }
    }
  }
  const doc = {
    variable: { vpc_id: { type: "string", description: "VPC the security groups belong to" } },
    resource: {
      aws_security_group: Object.fromEntries(
        groups.all().map((g) => [
          g.resource,
          {
            name: g.resource.replace(/_/g, "-"),
            description: `microseg workloads matching ${g.text}`.replace(
              /[^a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]/g,
              "_",
            ),
            // biome-ignore lint/suspicious/noTemplateCurlyInString: a Terraform expression
            vpc_id: "${var.vpc_id}",
            tags: { "microseg:selector": g.text },
          },
        ]),
      ),
      aws_vpc_security_group_ingress_rule: sorted(ingress),
      aws_vpc_security_group_egress_rule: sorted(egress),
    },
    output: {
      microseg_attachments: {
        description: "Attach these groups to each instance (e.g. vpc_security_group_ids)",
        value: groups.attachments(workloads),
      },
    },
  };
  return { output: `${JSON.stringify(doc, null, 2)}\n`, fidelity: log.entries() };
}

function sorted<T>(r: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function noteAwsLimits(
  workloads: readonly Workload[],
  rules: ExportInput["policy"]["rules"],
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
    "instances join security groups by attachment, not by label",
    "output microseg_attachments lists each instance's groups for the inventory exported; attach new instances the same way",
  );
}
