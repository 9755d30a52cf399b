// Shared by the unit tests: the policy cases under testdata/cases.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadPolicy } from "@microseg/core";
import type { ExportInput } from "./types.js";

export const TESTDATA = join(import.meta.dirname, "../testdata");

export function loadCase(name: string): ExportInput {
  const file = join(TESTDATA, "cases", `${name}.yaml`);
  const loaded = loadPolicy([{ file: `${name}.yaml`, text: readFileSync(file, "utf8") }]);
  if (loaded.diagnostics.length > 0) throw new Error(JSON.stringify(loaded.diagnostics, null, 2));
  return { policy: loaded.policy, workloads: loaded.workloads };
}
