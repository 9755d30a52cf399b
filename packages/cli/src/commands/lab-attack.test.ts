// `microseg lab attack` without root: help, a wrong kind, and the error when no lab is up.
// (The real attempts run in packages/lab/src/quarantine.privileged.test.ts.)
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMain } from "../testing/run-main.js";

describe("microseg lab attack", () => {
  const previous = process.env.MICROSEG_LAB_DIR;
  beforeAll(() => {
    process.env.MICROSEG_LAB_DIR = mkdtempSync(join(tmpdir(), "mseg-cli-attack-"));
  });
  afterAll(() => {
    if (previous === undefined) delete process.env.MICROSEG_LAB_DIR;
    else process.env.MICROSEG_LAB_DIR = previous;
  });

  it("--help teaches every kind with examples", async () => {
    const r = await runMain(["lab", "attack", "--help"]);
    expect(r.code).toBe(0);
    for (const kind of ["scan", "sweep", "spread", "decoy", "slow-scan", "vuln-scan"]) {
      expect(r.out).toContain(kind);
    }
    expect(r.out).toMatch(/Examples:\n\s+\$ sudo npx microseg lab attack scan/);
    expect(r.out).toContain("slow-scan --from web-1 --to db-1 --interval 10s --duration 5m");
    expect(r.out).toMatch(/lab addresses only \(198\.18\.0\.0\/15\)/);
  });

  it("refuses a kind it does not know, naming the kinds", async () => {
    const r = await runMain(["lab", "attack", "nuke", "--from", "web-1"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /'nuke' is invalid.*Allowed choices are scan, sweep, spread, decoy, slow-scan, vuln-scan/s,
    );
  });

  it("refuses an interval that is not a duration, saying how to write one", async () => {
    const r = await runMain([
      "lab",
      "attack",
      "slow-scan",
      "--from",
      "web-1",
      "--interval",
      "fast",
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--interval as a duration such as 500ms, 10s or 5m, not "fast"/);
  });

  it("says that no lab is up", async () => {
    const r = await runMain(["lab", "attack", "scan", "--from", "web-1"]);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/no lab is up/);
  });
});
