// Files from the command line -> PolicySource[] (+ inventory) for @microseg/core, which does no I/O.
//   - a policy file is read as is;
//   - a directory stands for the .yaml/.yml files directly inside it, in name order;
//   - a lab scenario (a file with a top-level `hosts:`) contributes its hosts as the inventory
//     that `tests:` may name, and its own policy files.
// A file that cannot be read becomes a diagnostic, so every problem is still reported in one run.

import { readdir, readFile, stat } from "node:fs/promises";
import { isAbsolute, join, relative, resolve } from "node:path";
import {
  type Diagnostic,
  fileTooLarge,
  POLICY_LIMITS,
  type PolicySource,
  type Workload,
} from "@microseg/core";
import { parseScenario, ScenarioInvalidError, workloadsOf } from "@microseg/lab";

export interface ReadSources {
  readonly sources: PolicySource[];
  readonly inventory: Workload[];
  readonly diagnostics: Diagnostic[];
}

const SCENARIO = /^hosts[ \t]*:/m;

export async function readSources(paths: readonly string[]): Promise<ReadSources> {
  const out: ReadSources = { sources: [], inventory: [], diagnostics: [] };
  const seen = new Set<string>();
  const queue = [...paths];
  for (let path = queue.shift(); path !== undefined; path = queue.shift()) {
    const files = await expand(path);
    if ("message" in files) {
      out.diagnostics.push(unreadable(path, files.message));
      continue;
    }
    for (const file of files.filter((f) => !seen.has(resolve(f)))) {
      seen.add(resolve(file));
      const text = await readText(file, out.diagnostics);
      if (text === undefined) continue;
      if (SCENARIO.test(text)) queue.push(...readScenario(text, file, out));
      else out.sources.push({ file, text });
    }
  }
  return out;
}

/** Adds the scenario's hosts to the inventory; returns its policy files (relative for display). */
function readScenario(text: string, file: string, out: ReadSources): string[] {
  try {
    const scenario = parseScenario(text, file);
    out.inventory.push(...workloadsOf(scenario));
    return scenario.policy.map((p) => (isAbsolute(p) ? relative(process.cwd(), p) || p : p));
  } catch (err) {
    if (!(err instanceof ScenarioInvalidError)) throw err;
    out.diagnostics.push(...err.diagnostics);
    return [];
  }
}

async function expand(path: string): Promise<string[] | { message: string }> {
  try {
    if (!(await stat(path)).isDirectory()) return [path];
    const names = (await readdir(path)).filter((n) => /\.ya?ml$/.test(n)).sort();
    if (names.length === 0) {
      return { message: "it is a directory with no .yaml or .yml files; name the policy files" };
    }
    return names.map((n) => join(path, n));
  } catch (err) {
    return { message: reason(err) };
  }
}

/** A file over the size limit is refused from its size, before it is read. */
async function readText(file: string, diagnostics: Diagnostic[]): Promise<string | undefined> {
  try {
    const { size } = await stat(file);
    if (size > POLICY_LIMITS.maxFileBytes) {
      diagnostics.push(fileTooLarge(file, size));
      return undefined;
    }
    return await readFile(file, "utf8");
  } catch (err) {
    diagnostics.push(unreadable(file, reason(err)));
    return undefined;
  }
}

function unreadable(file: string, message: string): Diagnostic {
  return {
    code: "MSEG_FILE_UNREADABLE",
    file,
    path: "",
    message: `cannot read ${file}: ${message}`,
  };
}

function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file; check the path";
  if (code === "EACCES") return "permission denied; check the file's permissions";
  if (code === "EISDIR") return "it is a directory; name the policy files inside it";
  return `${err instanceof Error ? err.message : String(err)}; check the path`;
}
