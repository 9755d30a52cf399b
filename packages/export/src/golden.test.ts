// Golden files: testdata/cases/<case>.yaml (policy + workloads) -> testdata/<target>/<case>/
// {output, fidelity.json}, per form. UPDATE_GOLDEN=1 rewrites them; review them as diffs.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadPolicy } from "@microseg/core";
import { describe, expect, it } from "vitest";
import { type ExportInput, type ExportOptions, type ExportTarget, exportPolicy } from "./index.js";

const TESTDATA = join(import.meta.dirname, "../testdata");

function loadCase(name: string): ExportInput {
  const file = join(TESTDATA, "cases", `${name}.yaml`);
  const loaded = loadPolicy([{ file: `${name}.yaml`, text: readFileSync(file, "utf8") }]);
  if (loaded.diagnostics.length > 0) throw new Error(JSON.stringify(loaded.diagnostics, null, 2));
  return { policy: loaded.policy, workloads: loaded.workloads };
}

const UPDATE = process.env.UPDATE_GOLDEN === "1";

const CASES: { target: ExportTarget; name: string; input: string; options?: ExportOptions }[] = [
  { target: "k8s", name: "pods", input: "pods" },
  { target: "k8s", name: "shop", input: "shop" },
  { target: "aws-sg", name: "shop", input: "shop" },
  { target: "aws-sg", name: "pods", input: "pods" },
  { target: "aws-cfn", name: "shop", input: "shop" },
  { target: "iptables", name: "host-db-1", input: "shop", options: { workload: "db-1" } },
  { target: "iptables", name: "gateway", input: "shop", options: { gateway: true } },
  { target: "nft", name: "host-web-1", input: "shop", options: { workload: "web-1" } },
  { target: "nft", name: "gateway", input: "shop", options: { gateway: true } },
];

function golden(path: string, actual: string): void {
  if (UPDATE || !existsSync(path)) {
    writeFileSync(path, actual);
    return;
  }
  expect(actual).toBe(readFileSync(path, "utf8"));
}

describe("export golden files", () => {
  for (const c of CASES) {
    it(`${c.target} ${c.name}`, () => {
      const result = exportPolicy(c.target, loadCase(c.input), c.options);
      const dir = join(TESTDATA, c.target, c.name);
      mkdirSync(dir, { recursive: true });
      golden(join(dir, "output"), result.output);
      golden(join(dir, "fidelity.json"), `${JSON.stringify(result.fidelity, null, 2)}\n`);
    });
  }

  it("does not depend on input order", () => {
    const input = loadCase("shop");
    const reversed = {
      policy: { ...input.policy, rules: [...input.policy.rules] },
      workloads: [...input.workloads].reverse(),
    };
    for (const target of ["k8s", "aws-sg", "aws-cfn"] as const) {
      expect(exportPolicy(target, reversed).output).toBe(exportPolicy(target, input).output);
    }
  });
});
