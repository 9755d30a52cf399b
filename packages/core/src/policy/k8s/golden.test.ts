// Golden model of testdata/k8s/mixed.yaml: every NetworkPolicy form mapped to Rules and Isolation
// (review as a diff; UPDATE_GOLDEN=1 rewrites).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { loadPolicy } from "../index.js";

const DIR = join(import.meta.dirname, "../../../testdata/k8s");

it("mixed.yaml maps to the golden model", () => {
  const text = readFileSync(join(DIR, "mixed.yaml"), "utf8");
  const loaded = loadPolicy([{ file: "mixed.yaml", text }]);
  expect(loaded.diagnostics).toEqual([]);
  const file = join(DIR, "mixed.golden.json");
  const got = JSON.parse(JSON.stringify(loaded.policy));
  if (process.env.UPDATE_GOLDEN === "1" || !existsSync(file)) {
    writeFileSync(file, `${JSON.stringify(got, null, 2)}\n`);
  }
  expect(got).toEqual(JSON.parse(readFileSync(file, "utf8")));
});
