// Golden files: testdata/compile/<case>/input.json (policy + workloads) -> expected.json (the
// RuleSets, by workload). Review changes as diffs; rewrite with UPDATE_GOLDEN=1.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Policy, Workload } from "../model.js";
import { compile } from "./compile.js";

const ROOT = join(import.meta.dirname, "../../testdata/compile");
const UPDATE = process.env.UPDATE_GOLDEN === "1";

describe("golden compile cases", () => {
  const cases = readdirSync(ROOT).sort();
  it("has the required cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(11);
  });
  for (const name of cases) {
    it(name, () => {
      const input = JSON.parse(readFileSync(join(ROOT, name, "input.json"), "utf8")) as {
        policy: Policy;
        workloads: Workload[];
      };
      const got = Object.fromEntries(compile(input.policy, input.workloads));
      const file = join(ROOT, name, "expected.json");
      if (UPDATE || !existsSync(file)) writeFileSync(file, `${JSON.stringify(got, null, 2)}\n`);
      expect(got).toEqual(JSON.parse(readFileSync(file, "utf8")));
      // Input order must not matter.
      const reversed = Object.fromEntries(compile(input.policy, [...input.workloads].reverse()));
      expect(reversed).toEqual(got);
    });
  }
});
