// Helpers for the export round trips in a real lab (privileged tests only).
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadPolicy } from "@microseg/core";
import { loadScenario, type ProbeResult, readState, workloadsOf } from "@microseg/lab";
import { sh } from "@microseg/nft/testing";
import type { ExportInput } from "./types.js";

export const SCENARIOS = join(import.meta.dirname, "../../lab/testdata/scenarios");
export const EXPORT_SCENARIOS = join(import.meta.dirname, "../testdata/scenarios");

/** The scenario's policy and hosts, as `microseg export` loads them. */
export function exportInput(scenarioFile: string): ExportInput {
  const scenario = loadScenario(scenarioFile);
  const workloads = workloadsOf(scenario);
  const sources = scenario.policy.map((file) => ({ file, text: readFileSync(file, "utf8") }));
  const loaded = loadPolicy(sources, { inventory: workloads });
  if (loaded.diagnostics.length > 0) throw new Error(JSON.stringify(loaded.diagnostics));
  return { policy: loaded.policy, workloads };
}

/** Loads a file with `sh FILE` or `nft -f FILE` inside a lab host's namespace (never the root one). */
export async function runInHost(
  dir: string,
  host: string,
  script: string,
  loader: "sh" | "nft" = "sh",
): Promise<void> {
  const target = readState(dir)?.hosts.find((h) => h.name === host);
  if (target === undefined || !target.netns.startsWith("mseg-"))
    throw new Error(`no lab host ${host}`);
  const file = join(mkdtempSync(join(tmpdir(), "mseg-export-")), "load.sh");
  writeFileSync(file, script);
  const cmd = loader === "sh" ? ["sh", file] : ["nft", "-f", file];
  await sh("ip", ["netns", "exec", target.netns, ...cmd], 20_000);
}

export function allowed(results: readonly ProbeResult[]): string[] {
  return results
    .filter((r) => r.verdict === "allowed")
    .map((r) => `${r.from} -> ${r.to} ${r.port}`)
    .sort();
}
