// AWS quotas: rules per group (per direction and address family; a referenced group counts in
// both families), groups per network interface, and CloudFormation's inline placeholder rule.
// Over a quota, the export refuses with the group or instance, the count and the quota named.
import type { Workload } from "@microseg/core";
import { describe, expect, it } from "vitest";
import { type ExportInput, ExportQuotaError } from "../types.js";
import { exportAwsCfn } from "./aws-cfn.js";
import { exportAwsSg } from "./aws-terraform.js";

const workload = (name: string, labels: Record<string, string>, addresses: string[]): Workload => ({
  name,
  labels,
  addresses,
  mode: "enforce",
  managed: true,
});

const role = (v: string) => ({
  kind: "workloads" as const,
  selector: { match: [{ key: "role", op: "in" as const, values: [v] }] },
});

function allow(id: string, from: object[], to: object[], ports: number[] = [443]) {
  return {
    id,
    action: "allow" as const,
    from,
    to,
    services: ports.map((p) => ({ proto: "tcp" as const, from: p, to: p })),
    source: { file: "p.yaml", path: id },
  } as ExportInput["policy"]["rules"][number];
}

/** db accepts tcp/5432 from `n` distinct /32s: n inbound IPv4 rules on db's group. */
function manyCidrs(n: number): ExportInput {
  // 10.<i>.0.1: no two are adjacent, so none merge into a shorter prefix
  const include = Array.from({ length: n }, (_, i) => `10.${i}.0.1/32`);
  return {
    policy: {
      rules: [allow("clients", [{ kind: "cidrs", include, except: [] }], [role("db")], [5432])],
      ipLists: {},
      isolation: [],
    },
    workloads: [workload("db-1", { role: "db" }, ["198.18.0.2"])],
  };
}

describe("AWS quotas", () => {
  it("60 inbound IPv4 rules fit; 61 are refused, naming the group, the count and the quota", () => {
    expect(() => exportAwsSg(manyCidrs(60))).not.toThrow();
    expect(() => exportAwsSg(manyCidrs(61))).toThrow(ExportQuotaError);
    expect(() => exportAwsSg(manyCidrs(61))).toThrow(
      /security group mseg_role_db_\w+ \(role=db\) needs 61 inbound IPv4 rules, over the quota of 60 rules per security group \(--aws-rules-per-group\)/,
    );
  });

  it("a raised quota is honoured", () => {
    expect(() => exportAwsSg(manyCidrs(61), { awsQuotas: { rulesPerGroup: 100 } })).not.toThrow();
    expect(() => exportAwsSg(manyCidrs(20), { awsQuotas: { rulesPerGroup: 19 } })).toThrow(
      /needs 20 inbound IPv4 rules, over the quota of 19/,
    );
  });

  it("CloudFormation's inline no-egress rule counts as one outbound IPv4 rule", () => {
    const out = (n: number): ExportInput => {
      const input = manyCidrs(n);
      const [rule] = input.policy.rules;
      if (rule === undefined) throw new Error("no rule");
      return {
        ...input,
        policy: { ...input.policy, rules: [{ ...rule, from: rule.to, to: rule.from }] },
      };
    };
    expect(() => exportAwsSg(out(60))).not.toThrow();
    expect(() => exportAwsCfn(out(59))).not.toThrow();
    expect(() => exportAwsCfn(out(60))).toThrow(/needs 61 outbound IPv4 rules/);
  });

  it("more groups on one instance than the interface takes: refused, naming the instance", () => {
    const labels = { a: "1", b: "1", c: "1", d: "1", e: "1", f: "1" };
    const sel = (k: string) => ({
      kind: "workloads" as const,
      selector: { match: [{ key: k, op: "in" as const, values: ["1"] }] },
    });
    const rules = Object.keys(labels).map((k) => allow(`to-${k}`, [role("web")], [sel(k)]));
    const input: ExportInput = {
      policy: { rules, ipLists: {}, isolation: [] },
      workloads: [
        workload("big-1", labels, ["198.18.0.3"]),
        workload("web-1", { role: "web" }, ["198.18.0.4"]),
      ],
    };
    expect(() => exportAwsSg(input)).toThrow(
      /instance big-1 needs 6 security groups \(mseg_a_1_\w+, .*\), over the quota of 5 security groups per network interface \(--aws-groups-per-interface\)/,
    );
    expect(() => exportAwsCfn(input)).toThrow(/instance big-1 needs 6 security groups/);
    expect(() => exportAwsSg(input, { awsQuotas: { groupsPerInterface: 6 } })).not.toThrow();
  });

  it("two allows that need the same rule write it once (AWS refuses duplicate rules)", () => {
    const input: ExportInput = {
      policy: {
        rules: [
          allow("one", [role("web")], [role("db")]),
          allow("two", [role("web")], [role("db")]),
        ],
        ipLists: {},
        isolation: [],
      },
      workloads: [
        workload("db-1", { role: "db" }, ["198.18.0.2"]),
        workload("web-1", { role: "web" }, ["198.18.0.4"]),
      ],
    };
    const doc = JSON.parse(exportAwsSg(input).output);
    const ingress = Object.values(doc.resource.aws_vpc_security_group_ingress_rule);
    expect(ingress).toHaveLength(1);
    expect(ingress[0]).toMatchObject({ description: "microseg one, two" });
  });
});
