// Expected failures are values. Every problem found in input is a Diagnostic naming the file, the
// path inside it, a stable code from the registry in errors.ts, and a sentence that says what to do.

import type { ErrorCode } from "./errors.js";

export interface Diagnostic {
  readonly code: ErrorCode;
  readonly file?: string;
  /** Path inside the document, e.g. `rules[3].to.app`; empty for the whole document. */
  readonly path: string;
  /** 1-based line in the file, when known. */
  readonly line?: number;
  /** What is wrong and how to fix it, as one or two sentences. */
  readonly message: string;
}

/** `file:line: path: message [CODE]` — the form the CLI prints. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = [d.file, d.line].filter((x) => x !== undefined).join(":");
  const path = d.path === "" ? "" : `${d.path}: `;
  return `${where === "" ? "" : `${where}: `}${path}${d.message} [${d.code}]`;
}
