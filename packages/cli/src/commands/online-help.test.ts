// Every command that talks to a controller answers --help (exit 0, no controller needed) with
// the connection options; the groups show examples.
import { describe, expect, it } from "vitest";
import { useCli } from "../testing/online.js";

const { run } = useCli();

const GROUPS = [["workloads"], ["enrol-profiles"], ["agents"], ["audit"], ["status"], ["policy"]];
const LEAVES = [
  ["workloads", "list"],
  ["workloads", "get"],
  ["workloads", "label"],
  ["workloads", "mode"],
  ["policy", "apply"],
  ["policy", "diff"],
  ["policy", "provision"],
  ["policy", "history"],
  ["policy", "rollback"],
  ["enrol-profiles", "create"],
  ["enrol-profiles", "list"],
  ["enrol-profiles", "revoke"],
  ["agents", "list"],
  ["agents", "revoke"],
  ["audit", "list"],
  ["audit", "verify"],
  ["status"],
];

describe("--help", () => {
  it.each(GROUPS)("%s --help shows examples", async (...path) => {
    const r = await run([...path, "--help"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("Examples:");
  });

  it.each(LEAVES)("%s %s --help lists the connection options", async (...path) => {
    const r = await run([...path.filter((p) => p !== undefined), "--help"]);
    expect(r.code).toBe(0);
    for (const flag of ["--controller <url>", "--token <token>", "--ca-fingerprint <sha256>"]) {
      expect(r.out).toContain(flag);
    }
    expect(r.out).toContain("--json");
  });
});
