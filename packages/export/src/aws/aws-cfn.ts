// `--to aws-cfn`: the security group plan as a CloudFormation template (docs/export.md).
//   Parameters.VpcId                                  the VPC (AWS::EC2::VPC::Id)
//   AWS::EC2::SecurityGroup                           one per group; SecurityGroupEgress holds
//                                                     only NO_EGRESS (see below); no GroupName,
//                                                     so two stacks in one VPC never collide
//   AWS::EC2::SecurityGroupIngress / ...Egress        one per rule (separate resources, so groups
//                                                     can reference each other without a cycle)
//   Metadata["microseg:attachments"]                  instance name -> group logical ids
//   Outputs.<group>Id                                 each group's id, to attach
// CloudFormation gives a group without inline egress AWS's allow-all egress rule, and separate
// Egress resources do not take it away; one inline rule that matches no packet (ICMP type 252
// code 86 to 255.255.255.255/32, as the AWS CDK writes it) keeps the group deny-by-default.

import { familyOf } from "../cidr.js";
import { fnv32 } from "../rows.js";
import {
  type ExportInput,
  type ExportOptions,
  ExportQuotaError,
  type ExportResult,
} from "../types.js";
import type { Group } from "./aws-groups.js";
import { planSecurityGroups } from "./aws-plan.js";
import { checkQuotas } from "./aws-quotas.js";
import type { SgRule } from "./aws-rules.js";
import { awsText, ruleDescription } from "./aws-terraform.js";

/** CloudFormation template quotas (not raisable). */
export const CFN_MAX_RESOURCES = 500;
export const CFN_MAX_OUTPUTS = 200;

const NO_EGRESS = {
  CidrIp: "255.255.255.255/32",
  Description: "no egress but what microseg rules allow",
  IpProtocol: "icmp",
  FromPort: 252,
  ToPort: 86,
};

type Json = string | number | Json[] | { [k: string]: Json };

export function exportAwsCfn(input: ExportInput, options: ExportOptions = {}): ExportResult {
  const plan = planSecurityGroups(input, 'template Metadata "microseg:attachments"');
  checkQuotas(plan, options.awsQuotas, 1);
  const resources: Record<string, Json> = {};
  for (const g of plan.groups) resources[logicalId(g.resource)] = group(g);
  for (const r of plan.rules) {
    const body = rule(r);
    const prefix = r.direction === "inbound" ? "In" : "Eg";
    resources[`${prefix}${fnv32(JSON.stringify(body))}`] = body;
  }
  checkTemplate(Object.keys(resources).length, plan.groups.length);
  const template = {
    AWSTemplateFormatVersion: "2010-09-09",
    Description: "microseg security groups (microseg export --to aws-cfn)",
    Metadata: {
      "microseg:attachments": Object.fromEntries(
        [...plan.attachments].map(([name, gs]) => [name, gs.map((g) => logicalId(g.resource))]),
      ),
    },
    Parameters: {
      VpcId: { Type: "AWS::EC2::VPC::Id", Description: "VPC the security groups belong to" },
    },
    Resources: sorted(resources),
    Outputs: Object.fromEntries(
      plan.groups.map((g) => [
        `${logicalId(g.resource)}Id`,
        {
          Description: awsText(`security group for microseg workloads matching ${g.text}`),
          Value: groupId(g.resource),
        },
      ]),
    ),
  };
  return { output: `${JSON.stringify(template, null, 2)}\n`, fidelity: plan.log.entries() };
}

function group(g: Group): Json {
  return {
    Type: "AWS::EC2::SecurityGroup",
    Properties: {
      GroupDescription: awsText(`microseg workloads matching ${g.text}`),
      VpcId: { Ref: "VpcId" },
      SecurityGroupEgress: [NO_EGRESS],
      Tags: [{ Key: "microseg:selector", Value: g.text }],
    },
  };
}

function rule(r: SgRule): Json {
  const inbound = r.direction === "inbound";
  const port: Record<string, Json> = { IpProtocol: r.port.ip_protocol };
  if (r.port.from_port !== undefined) port.FromPort = r.port.from_port;
  if (r.port.to_port !== undefined) port.ToPort = r.port.to_port;
  const peer: Record<string, Json> =
    "group" in r.peer
      ? {
          [inbound ? "SourceSecurityGroupId" : "DestinationSecurityGroupId"]: groupId(r.peer.group),
        }
      : familyOf(r.peer.cidr) === 4
        ? { CidrIp: r.peer.cidr }
        : { CidrIpv6: r.peer.cidr };
  return {
    Type: inbound ? "AWS::EC2::SecurityGroupIngress" : "AWS::EC2::SecurityGroupEgress",
    Properties: {
      GroupId: groupId(r.group),
      ...port,
      ...peer,
      Description: ruleDescription(r.ruleIds),
    },
  };
}

function groupId(resource: string): Json {
  return { "Fn::GetAtt": [logicalId(resource), "GroupId"] };
}

/** `mseg_role_db_1a2b3c4d` -> `MsegRoleDb1a2b3c4d`: logical ids are alphanumeric. */
export function logicalId(resource: string): string {
  return resource
    .split(/[^a-zA-Z0-9]+/)
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join("");
}

function checkTemplate(resources: number, outputs: number): void {
  const over: string[] = [];
  if (resources > CFN_MAX_RESOURCES) {
    over.push(`${resources} resources, over CloudFormation's ${CFN_MAX_RESOURCES} per template`);
  }
  if (outputs > CFN_MAX_OUTPUTS) {
    over.push(`${outputs} outputs, over CloudFormation's ${CFN_MAX_OUTPUTS} per template`);
  }
  if (over.length > 0) {
    throw new ExportQuotaError(
      `the template needs ${over.join(" and ")}; use --to aws-sg (Terraform has no such limit), or split the policy into several exports`,
    );
  }
}

function sorted<T>(r: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1)));
}
