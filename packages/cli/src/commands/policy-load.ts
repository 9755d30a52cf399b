// Shared by `policy check|explain|compile`: read the files, load the policy, and report every
// diagnostic on stderr (exit code 2) when there is any.

import {
  type Diagnostic,
  formatDiagnostic,
  type LoadedPolicy,
  loadPolicy,
  type Workload,
} from "@microseg/core";
import { shown, writeErr } from "../api/output.js";
import { readSources } from "./read-sources.js";

export const FILES_HELP =
  "policy files (YAML); a directory stands for its .yaml/.yml files; a lab scenario for its hosts and policy";

export interface Loaded {
  readonly ok: true;
  readonly loaded: LoadedPolicy;
  /** Lab hosts (from scenario files) first, then the policy files' own workloads. */
  readonly workloads: readonly Workload[];
  readonly files: readonly string[];
}

export type LoadResult =
  | Loaded
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

export async function loadFiles(paths: readonly string[]): Promise<LoadResult> {
  const read = await readSources(paths);
  const loaded = loadPolicy(read.sources, { inventory: read.inventory });
  const diagnostics = [...read.diagnostics, ...loaded.diagnostics];
  if (diagnostics.length > 0) return { ok: false, diagnostics };
  const names = new Set(read.inventory.map((w) => w.name));
  const workloads = [...read.inventory, ...loaded.workloads.filter((w) => !names.has(w.name))];
  return { ok: true, loaded, workloads, files: read.sources.map((s) => s.file) };
}

/** Prints every diagnostic and a closing count on stderr; sets exit code 2. */
export function reportDiagnostics(diagnostics: readonly Diagnostic[]): void {
  // One line per diagnostic: a value from a file cannot start a line of its own.
  const lines = diagnostics.map((d) => shown(formatDiagnostic(d)));
  const n = diagnostics.length;
  lines.push(`${n} problem${n === 1 ? "" : "s"} found; fix them and run again.`);
  writeErr(`${lines.join("\n")}\n`);
  process.exitCode = 2;
}
