// Valid policy files normalize to the expected model. The golden file is reviewed as a diff;
// regenerate it with UPDATE_GOLDEN=1 after an intended change.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadPolicy, type PolicySource } from "./index.js";

const testdata = join(import.meta.dirname, "../../testdata/policy");
const read = (name: string): PolicySource => ({
  file: name,
  text: readFileSync(join(testdata, name), "utf8"),
});

function golden(name: string, actual: unknown): void {
  const path = join(testdata, name);
  const text = `${JSON.stringify(actual, null, 2)}\n`;
  if (process.env.UPDATE_GOLDEN === "1" || !existsSync(path)) writeFileSync(path, text);
  expect(text).toBe(readFileSync(path, "utf8"));
}

describe("loadPolicy on valid files", () => {
  const loaded = loadPolicy([read("shop.yaml"), read("shop-ops.yaml")]);

  it("reports no diagnostics", () => {
    expect(loaded.diagnostics).toEqual([]);
  });

  it("matches the golden model", () => {
    golden("shop.golden.json", loaded);
  });

  it("names rules by name, or by file and path", () => {
    expect(loaded.policy.rules.map((r) => r.id)).toEqual([
      "web-to-db",
      "partners-to-web",
      "no-ssh-from-outside",
      "shop.yaml#rules[3]",
      "shop.yaml#scopes[0].rules[0]",
      "shop-ops.yaml#rules[0]",
      "ops-ssh",
    ]);
  });

  it("expands named services, drops duplicates, and reads `any` as every port", () => {
    const byId = new Map(loaded.policy.rules.map((r) => [r.id, r]));
    expect(byId.get("web-to-db")?.services).toEqual([
      { proto: "tcp", from: 5432, to: 5432 },
      { proto: "tcp", from: 9000, to: 9000 },
    ]);
    expect(byId.get("ops-ssh")?.services).toEqual([]);
    expect(byId.get("shop-ops.yaml#rules[0]")?.services).toEqual([
      { proto: "tcp", from: 5432, to: 5432 },
    ]);
  });

  it("gives scoped rules their scope's selector", () => {
    const scoped = loaded.policy.rules.find((r) => r.id === "shop.yaml#scopes[0].rules[0]");
    expect(scoped?.scope).toEqual({
      match: [
        { key: "tenant", op: "in", values: ["acme"] },
        { key: "env", op: "in", values: ["prod"] },
      ],
    });
    expect(scoped?.source).toEqual({ file: "shop.yaml", path: "scopes[0].rules[0]" });
  });

  it("applies workload defaults and namespace labels", () => {
    const [web, db, pay, printer] = loaded.workloads;
    expect(web).toMatchObject({
      mode: "enforce",
      managed: true,
      addresses: ["198.18.1.10", "2001:2::10"],
    });
    expect(db?.mode).toBe("test");
    expect(pay?.namespaceLabels).toEqual({
      team: "pay",
      "kubernetes.io/metadata.name": "payments",
    });
    expect(pay?.namedPorts).toEqual({ http: { proto: "tcp", from: 8080, to: 8080 } });
    expect(printer?.managed).toBe(false);
  });

  it("canonicalizes CIDRs (bare address -> /32, IPv6 lowercased)", () => {
    expect(loaded.policy.ipLists.partners).toEqual({
      name: "partners",
      include: ["203.0.113.0/24", "2001:db8::/32"],
      except: ["203.0.113.7/32"],
    });
  });

  it("keeps tests with their source", () => {
    expect(loaded.tests).toHaveLength(4);
    expect(loaded.tests[3]).toEqual({
      from: "pay-1",
      to: "db-1",
      port: "tcp/5432",
      expect: "allow",
      source: { file: "shop-ops.yaml", path: "tests[0]" },
    });
  });
});

describe("loadPolicy edge cases", () => {
  it("accepts an empty file and empty sections", () => {
    const loaded = loadPolicy([
      { file: "empty.yaml", text: "" },
      { file: "sections.yaml", text: "rules:\nservices:\n" },
    ]);
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.policy.rules).toEqual([]);
  });

  it("lets tests name inventory workloads and literal addresses", () => {
    const text = "tests:\n  - { from: lab-a, to: 198.18.0.9, port: udp/53, expect: deny }\n";
    const inventory = [
      { name: "lab-a", labels: {}, addresses: [], mode: "enforce" as const, managed: true },
    ];
    const loaded = loadPolicy([{ file: "t.yaml", text }], { inventory });
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.tests[0]?.to).toBe("198.18.0.9");
  });

  it("prefixes paths with the document index when a file holds several documents", () => {
    const text = "rules:\n  - { from: any, to: any }\n---\nrules:\n  - { from: any, to: any }\n";
    const loaded = loadPolicy([{ file: "multi.yaml", text }]);
    expect(loaded.policy.rules.map((r) => r.id)).toEqual([
      "multi.yaml#documents[0].rules[0]",
      "multi.yaml#documents[1].rules[0]",
    ]);
  });
});
