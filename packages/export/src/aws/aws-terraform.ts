// `--to aws-sg`: the security group plan as Terraform JSON (docs/export.md, "aws-sg").
//   aws_security_group                     one per group, in var.vpc_id
//   aws_vpc_security_group_ingress_rule    one per rule: referenced_security_group_id or
//   aws_vpc_security_group_egress_rule     cidr_ipv4 / cidr_ipv6, ip_protocol, from/to_port
//   output.microseg_attachments            instance name -> group ids (vpc_security_group_ids)
// Terraform removes AWS's default allow-all egress rule from every aws_security_group it creates.

import { familyOf } from "../cidr.js";
import { fnv32 } from "../rows.js";
import type { ExportInput, ExportOptions, ExportResult } from "../types.js";
import { planSecurityGroups } from "./aws-plan.js";
import { checkQuotas } from "./aws-quotas.js";
import type { SgRule } from "./aws-rules.js";

type Body = Record<string, string | number>;

export function exportAwsSg(input: ExportInput, options: ExportOptions = {}): ExportResult {
  const plan = planSecurityGroups(input, "output microseg_attachments");
  checkQuotas(plan, options.awsQuotas, 0);
  const ingress: Record<string, Body> = {};
  const egress: Record<string, Body> = {};
  for (const r of plan.rules) {
    const body = resource(r);
    const inbound = r.direction === "inbound";
    (inbound ? ingress : egress)[`${inbound ? "in" : "eg"}_${fnv32(JSON.stringify(body))}`] = body;
  }
  const doc = {
    variable: { vpc_id: { type: "string", description: "VPC the security groups belong to" } },
    resource: {
      aws_security_group: Object.fromEntries(
        plan.groups.map((g) => [
          g.resource,
          {
            name: g.resource.replace(/_/g, "-"),
            description: awsText(`microseg workloads matching ${g.text}`),
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
        value: Object.fromEntries(
          [...plan.attachments].map(([name, groups]) => [
            name,
            groups.map((g) => `\${aws_security_group.${g.resource}.id}`),
          ]),
        ),
      },
    },
  };
  return { output: `${JSON.stringify(doc, null, 2)}\n`, fidelity: plan.log.entries() };
}

function resource(r: SgRule): Body {
  const { family: _family, ...proto } = r.port;
  const peer: Body =
    "group" in r.peer
      ? { referenced_security_group_id: `\${aws_security_group.${r.peer.group}.id}` }
      : familyOf(r.peer.cidr) === 4
        ? { cidr_ipv4: r.peer.cidr }
        : { cidr_ipv6: r.peer.cidr };
  return {
    security_group_id: `\${aws_security_group.${r.group}.id}`,
    ...proto,
    ...peer,
    description: ruleDescription(r.ruleIds),
  };
}

/** Group and rule descriptions allow a limited character set and 255 characters. */
export function awsText(text: string): string {
  return text.replace(/[^a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]/g, "_").slice(0, 255);
}

export function ruleDescription(ruleIds: readonly string[]): string {
  return awsText(`microseg ${ruleIds.join(", ")}`);
}

function sorted<T>(r: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1)));
}
