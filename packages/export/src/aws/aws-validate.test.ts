// The AWS artifacts against what AWS publishes: the CloudFormation template against the
// CloudFormation Resource Specification (cfn-spec.test-helpers.ts). No npm package carries the
// Terraform AWS provider's schema, so the Terraform JSON keeps its golden files and the
// structural checks below (resource kinds and the argument names the provider documents).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadPolicy } from "@microseg/core";
import { describe, expect, it } from "vitest";
import type { ExportInput } from "../types.js";
import { exportAwsCfn } from "./aws-cfn.js";
import { exportAwsSg } from "./aws-terraform.js";
import { cfnTemplateProblems } from "./cfn-spec.test-helpers.js";

const TESTDATA = join(import.meta.dirname, "../../testdata");

function loadCase(name: string): ExportInput {
  const text = readFileSync(join(TESTDATA, "cases", `${name}.yaml`), "utf8");
  const loaded = loadPolicy([{ file: `${name}.yaml`, text }]);
  expect(loaded.diagnostics).toEqual([]);
  return { policy: loaded.policy, workloads: loaded.workloads };
}

const CASES = ["shop", "pods"];

describe("aws-cfn against the CloudFormation Resource Specification", () => {
  for (const name of CASES) {
    it(`${name}: every resource, property and reference is in the specification`, () => {
      expect(cfnTemplateProblems(JSON.parse(exportAwsCfn(loadCase(name)).output))).toEqual([]);
    });
  }

  it("the check can fail: unknown property, missing required one, wrong type, bad reference", () => {
    const template = JSON.parse(exportAwsCfn(loadCase("shop")).output);
    const [id, first] = Object.entries(template.Resources).find(
      ([, r]) => (r as { Type: string }).Type === "AWS::EC2::SecurityGroupIngress",
    ) as [string, { Properties: Record<string, unknown> }];
    first.Properties.Port = 80;
    first.Properties.FromPort = "80";
    delete first.Properties.IpProtocol;
    first.Properties.GroupId = { "Fn::GetAtt": ["Nope", "GroupId"] };
    const found = cfnTemplateProblems(template).join("\n");
    expect(found).toContain(`${id}.`);
    expect(found).toMatch(/Port/);
    expect(found).toMatch(/FromPort/);
    expect(found).toMatch(/IpProtocol/);
    expect(found).toMatch(/Nope/);
  });
});

/** Arguments of the provider's resources, as its documentation lists them (hashicorp/aws v5). */
const TF_ARGS: Record<string, string[]> = {
  aws_security_group: ["name", "description", "vpc_id", "tags"],
  aws_vpc_security_group_ingress_rule: [
    "security_group_id",
    "ip_protocol",
    "from_port",
    "to_port",
    "cidr_ipv4",
    "cidr_ipv6",
    "referenced_security_group_id",
    "description",
  ],
};
TF_ARGS.aws_vpc_security_group_egress_rule = TF_ARGS.aws_vpc_security_group_ingress_rule ?? [];

describe("aws-sg Terraform JSON: resource kinds and argument names", () => {
  for (const name of CASES) {
    it(`${name}: only documented arguments; every rule has one peer and a protocol`, () => {
      const doc = JSON.parse(exportAwsSg(loadCase(name)).output);
      for (const [kind, resources] of Object.entries(doc.resource)) {
        const allowed = TF_ARGS[kind];
        expect(allowed, kind).toBeDefined();
        for (const body of Object.values(resources as Record<string, Record<string, unknown>>)) {
          for (const arg of Object.keys(body)) expect(allowed).toContain(arg);
          if (kind === "aws_security_group") continue;
          const peers = ["cidr_ipv4", "cidr_ipv6", "referenced_security_group_id"];
          expect(peers.filter((p) => p in body)).toHaveLength(1);
          expect(typeof body.ip_protocol).toBe("string");
        }
      }
    });
  }
});
