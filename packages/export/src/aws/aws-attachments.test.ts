// Every instance gets the groups that carry its policy. An instance attached to no group falls
// back to the VPC's default group (which lets its members talk and everything out), so an
// instance no rule selects gets an explicit group with no rules, and the report never claims
// more than the artifact does.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadPolicy } from "@microseg/core";
import { loadScenario, workloadsOf } from "@microseg/lab";
import { describe, expect, it } from "vitest";
import type { ExportInput } from "../types.js";
import { exportAwsSg } from "./aws-terraform.js";

function scenarioInput(file: string): ExportInput {
  const scenario = loadScenario(file);
  const workloads = workloadsOf(scenario);
  const sources = scenario.policy.map((f) => ({ file: f, text: readFileSync(f, "utf8") }));
  const loaded = loadPolicy(sources, { inventory: workloads });
  expect(loaded.diagnostics).toEqual([]);
  return { policy: loaded.policy, workloads };
}

const DEMO = join(import.meta.dirname, "../../../../examples/demo/scenario.yaml");

interface Tf {
  resource: {
    aws_security_group: Record<string, object>;
    aws_vpc_security_group_ingress_rule?: Record<string, { security_group_id: string }>;
    aws_vpc_security_group_egress_rule?: Record<string, { security_group_id: string }>;
  };
  output: { microseg_attachments: { value: Record<string, string[]> } };
}

describe("aws-sg attachments", () => {
  it("demo (no policy yet): every managed instance gets a group, and that group has no rules", () => {
    const input = scenarioInput(DEMO);
    const doc = JSON.parse(exportAwsSg(input).output) as Tf;
    const attached = doc.output.microseg_attachments.value;
    const managed = input.workloads.filter((w) => w.managed).map((w) => w.name);
    expect(Object.keys(attached).sort()).toEqual(managed.sort());
    for (const name of managed) {
      expect(attached[name]?.length, name).toBeGreaterThan(0);
      for (const ref of attached[name] ?? []) {
        const resource = /^\$\{aws_security_group\.(\w+)\.id\}$/.exec(ref)?.[1] ?? "";
        expect(doc.resource.aws_security_group[resource], ref).toBeDefined();
      }
    }
    const rules = [
      ...Object.values(doc.resource.aws_vpc_security_group_ingress_rule ?? {}),
      ...Object.values(doc.resource.aws_vpc_security_group_egress_rule ?? {}),
    ];
    expect(rules).toEqual([]);
  });

  it("an instance no rule selects gets the empty group beside instances that have groups", () => {
    const input = scenarioInput(DEMO);
    const rule = {
      id: "web-to-app",
      action: "allow" as const,
      from: [
        {
          kind: "workloads" as const,
          selector: { match: [{ key: "role", op: "in" as const, values: ["web"] }] },
        },
      ],
      to: [
        {
          kind: "workloads" as const,
          selector: { match: [{ key: "role", op: "in" as const, values: ["app"] }] },
        },
      ],
      services: [{ proto: "tcp" as const, from: 8080, to: 8080 }],
      source: { file: "t.yaml", path: "rules[0]" },
    };
    const doc = JSON.parse(
      exportAwsSg({ ...input, policy: { ...input.policy, rules: [rule] } }).output,
    ) as Tf;
    const attached = doc.output.microseg_attachments.value;
    expect(attached["web-1"]?.some((g) => g.includes("role_web"))).toBe(true);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Terraform expression
    expect(attached["db-1"]).toEqual(["${aws_security_group.mseg_no_rules.id}"]);
  });
});
