// Policy files from the command line -> PolicySource[] for @microseg/core (which does no I/O).
// A directory stands for the .yaml/.yml files directly inside it, in name order. A file that
// cannot be read becomes a diagnostic, so every problem is still reported in one run.

import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Diagnostic, PolicySource } from "@microseg/core";

export interface ReadSources {
  readonly sources: PolicySource[];
  readonly diagnostics: Diagnostic[];
}

export async function readSources(paths: readonly string[]): Promise<ReadSources> {
  const sources: PolicySource[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const path of paths) {
    const files = await expand(path);
    if ("message" in files) {
      diagnostics.push(unreadable(path, files.message));
      continue;
    }
    for (const file of files) {
      try {
        sources.push({ file, text: await readFile(file, "utf8") });
      } catch (err) {
        diagnostics.push(unreadable(file, reason(err)));
      }
    }
  }
  return { sources, diagnostics };
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
