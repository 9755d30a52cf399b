// Problems that span entries or files: duplicates, references, foreign documents, and many
// problems reported together.
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../diagnostics.js";
import { loadPolicy } from "./index.js";

function problems(text: string, file = "p.yaml"): Diagnostic[] {
  return [...loadPolicy([{ file, text }]).diagnostics];
}

function only(text: string): Diagnostic {
  const found = problems(text);
  expect(found).toHaveLength(1);
  return found[0] as Diagnostic;
}

describe("names and references", () => {
  it("rejects duplicate names in one file, naming the first place", () => {
    const d = only(
      "services:\n  - { name: db, ports: [tcp/5432] }\n  - { name: db, ports: [tcp/5433] }\n",
    );
    expect(d).toMatchObject({
      code: "MSEG_POLICY_DUPLICATE_NAME",
      path: "services[1].name",
      line: 3,
    });
    expect(d.message).toBe(
      "service `db` is already defined at p.yaml:2 (services[0]); service names must be unique across all files, so rename or remove one of them",
    );
  });

  it("rejects duplicate rule names across files and scopes", () => {
    const a = "rules:\n  - { name: r, from: any, to: any }\n";
    const b =
      "scopes:\n  - name: s\n    match: { env: prod }\n    rules:\n      - { name: r, from: any, to: any }\n";
    const found = loadPolicy([
      { file: "a.yaml", text: a },
      { file: "b.yaml", text: b },
    ]).diagnostics;
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      code: "MSEG_POLICY_DUPLICATE_NAME",
      file: "b.yaml",
      path: "scopes[0].rules[0].name",
      line: 5,
    });
    expect(found[0]?.message).toMatch(/already defined at a\.yaml:2 \(rules\[0\]\)/);
  });

  it("rejects references to undefined IP lists and services, suggesting a name", () => {
    const text =
      "ipLists:\n  - { name: partners, cidrs: [10.0.0.0/8] }\nservices:\n  - { name: postgres, ports: [tcp/5432] }\n" +
      "rules:\n  - from: { ipList: partner }\n    to: any\n    services: [postgre]\n";
    const found = problems(text);
    expect(found.map((d) => [d.code, d.path, d.line])).toEqual([
      ["MSEG_POLICY_UNDEFINED_REFERENCE", "rules[0].from.ipList", 6],
      ["MSEG_POLICY_UNDEFINED_REFERENCE", "rules[0].services[0]", 8],
    ]);
    expect(found[0]?.message).toMatch(/\(did you mean `partners`\?\); define it under `ipLists:`/);
    expect(found[1]?.message).toMatch(/\(did you mean `postgres`\?\); define it under `services:`/);
  });

  it("rejects tests naming unknown workloads", () => {
    const d = only(
      "workloads:\n  - name: web-1\ntests:\n  - { from: web-1, to: web-2, port: tcp/80, expect: allow }\n",
    );
    expect(d).toMatchObject({
      code: "MSEG_POLICY_UNDEFINED_REFERENCE",
      path: "tests[0].to",
      line: 4,
    });
    expect(d.message).toMatch(/\(did you mean `web-1`\?\).*or give an IP address/);
  });
});

describe("foreign documents", () => {
  it("reads a Kubernetes NetworkPolicy (k8s/) and rejects other Kubernetes kinds", () => {
    const np =
      "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: x }\nspec: {}\n";
    expect(only(np)).toMatchObject({ code: "MSEG_POLICY_MISSING_FIELD", path: "spec.podSelector" });
    const d = only("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: { name: x }\n");
    expect(d).toMatchObject({ code: "MSEG_POLICY_UNSUPPORTED_KIND", path: "kind", line: 2 });
    expect(d.message).toMatch(/only `kind: NetworkPolicy`/);
  });

  it("rejects an unknown apiVersion", () => {
    const d = only("apiVersion: microseg/v9\nrules: []\n");
    expect(d).toMatchObject({ code: "MSEG_POLICY_UNSUPPORTED_KIND", path: "apiVersion", line: 1 });
    expect(d.message).toMatch(/`apiVersion: microseg\/v1`/);
  });
});

describe("every problem at once", () => {
  it("reports all problems of a file, in line order", () => {
    const text = [
      "workloads:",
      "  - name: web-1",
      "    addresses: [300.1.1.1]", // 3 bad address
      "    mode: enforced", // 4 bad mode
      "services:",
      "  - name: web",
      "    ports: [tcp/0]", // 7 bad port
      "rules:",
      "  - form: any", // 9 unknown field + missing from
      "    to: { ipList: nope }", // 10 undefined ipList
      "  - from: []", // 11 empty from
      "    to: any",
      "    action: permit", // 13 bad action
      "tests:",
      "  - { from: web-1, to: ghost, port: tcp/80, expect: allow }", // 15 unknown workload
      "",
    ].join("\n");
    const found = problems(text);
    expect(found.map((d) => [d.line, d.code])).toEqual([
      [3, "MSEG_POLICY_INVALID_CIDR"],
      [4, "MSEG_POLICY_INVALID_VALUE"],
      [7, "MSEG_POLICY_INVALID_PORT"],
      [9, "MSEG_POLICY_MISSING_FIELD"],
      [9, "MSEG_POLICY_UNKNOWN_FIELD"],
      [10, "MSEG_POLICY_UNDEFINED_REFERENCE"],
      [11, "MSEG_POLICY_INVALID_VALUE"],
      [13, "MSEG_POLICY_INVALID_VALUE"],
      [15, "MSEG_POLICY_UNDEFINED_REFERENCE"],
    ]);
    for (const d of found) expect(d.file).toBe("p.yaml");
  });

  it("reports problems from every file, in file order", () => {
    const found = loadPolicy([
      { file: "b.yaml", text: "rules:\n  - { from: any }\n" },
      { file: "a.yaml", text: "rules: [\n" },
    ]).diagnostics;
    expect(found.map((d) => [d.file, d.code])).toEqual([
      ["b.yaml", "MSEG_POLICY_MISSING_FIELD"],
      ["a.yaml", "MSEG_YAML_SYNTAX"],
    ]);
  });
});
