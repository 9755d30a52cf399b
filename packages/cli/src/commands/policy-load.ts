// Shared by `policy check|explain|compile`: read the files, load the policy, and report every
// diagnostic on stderr (exit code 2) when there is any.

import { type Diagnostic, formatDiagnostic, type LoadedPolicy, loadPolicy } from "@microseg/core";
import { readSources } from "./read-sources.js";

export type LoadResult =
  | { readonly ok: true; readonly loaded: LoadedPolicy; readonly files: readonly string[] }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

export async function loadFiles(paths: readonly string[]): Promise<LoadResult> {
  const read = await readSources(paths);
  const loaded = loadPolicy(read.sources);
  const diagnostics = [...read.diagnostics, ...loaded.diagnostics];
  if (diagnostics.length > 0) return { ok: false, diagnostics };
  return { ok: true, loaded, files: read.sources.map((s) => s.file) };
}

/** Prints every diagnostic and a closing count on stderr; sets exit code 2. */
export function reportDiagnostics(diagnostics: readonly Diagnostic[]): void {
  const lines = diagnostics.map(formatDiagnostic);
  const n = diagnostics.length;
  lines.push(`${n} problem${n === 1 ? "" : "s"} found; fix them and run again.`);
  process.stderr.write(`${lines.join("\n")}\n`);
  process.exitCode = 2;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
