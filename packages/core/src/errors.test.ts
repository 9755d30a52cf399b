// Keeps docs/errors.md and the registry in sync: every code documented with its exit code, and
// no documented code that does not exist.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ERROR_CODES, type ErrorCode, exitCodeFor, MicrosegError } from "./errors.js";

const doc = readFileSync(join(import.meta.dirname, "../../../docs/errors.md"), "utf8");

/** code -> the exit code its section states. */
function documented(text: string): Map<string, number | undefined> {
  const sections = new Map<string, number | undefined>();
  for (const m of text.matchAll(/^### (\S+)\n([\s\S]*?)(?=^#{2,3} |(?![\s\S]))/gm)) {
    const exit = /^Exit code: (\d+)\./m.exec(m[2] ?? "")?.[1];
    sections.set(m[1] ?? "", exit === undefined ? undefined : Number(exit));
  }
  return sections;
}

describe("error registry", () => {
  const sections = documented(doc);

  it("documents every code with its exit code", () => {
    const missing = Object.entries(ERROR_CODES)
      .filter(([code, { exit }]) => sections.get(code) !== exit)
      .map(([code, { exit }]) => `${code} (exit ${exit})`);
    expect(missing).toEqual([]);
  });

  it("documents no code that does not exist", () => {
    const extra = [...sections.keys()].filter((code) => !(code in ERROR_CODES));
    expect(extra).toEqual([]);
  });

  it("the doc check itself notices a missing or stray section", () => {
    const text = "### MSEG_USAGE\nExit code: 2.\nWrong.\n\n### MSEG_NOPE\nExit code: 9.\n";
    expect([...documented(text)]).toEqual([
      ["MSEG_USAGE", 2],
      ["MSEG_NOPE", 9],
    ]);
  });

  it("uses only exit codes 1-3 and maps codes to them", () => {
    for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
      expect([1, 2, 3]).toContain(exitCodeFor(code));
    }
    const err = new MicrosegError("MSEG_LAB_NOT_UP", "no lab");
    expect(exitCodeFor(err.code)).toBe(3);
  });
});
