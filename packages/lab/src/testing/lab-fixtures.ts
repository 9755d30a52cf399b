// Helpers for the lab's privileged tests (not part of the built package).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ProbeResult } from "../probe-plan.js";

export const SCENARIOS = join(import.meta.dirname, "../../testdata/scenarios");

export function scenario(name: string): string {
  return join(SCENARIOS, `${name}.yaml`);
}

/** A private state directory, so tests never read or write a developer's running lab state. */
export function tempStateDir(): string {
  return mkdtempSync(join(tmpdir(), "mseg-lab-state-"));
}

/** `from -> to port` for every allowed result, sorted: the readable shape of a probe matrix. */
export function allowed(results: readonly ProbeResult[]): string[] {
  return results
    .filter((r) => r.verdict === "allowed")
    .map((r) => `${r.from} -> ${r.to} ${r.port}`)
    .sort();
}
