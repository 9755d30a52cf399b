// Diagnostics for one Kubernetes object, plus the shape checks every part of it needs (a map, a
// list, a string, no unknown fields). Paths are relative to the object; the document's prefix
// (`documents[1].`, `items[2].`) is prepended, and lines come from the YAML.

import type { Diagnostic } from "../../diagnostics.js";
import type { ErrorCode } from "../../errors.js";
import { formatPath } from "../paths.js";
import { show } from "../show.js";
import { didYouMean } from "../suggest.js";
import type { ParsedDocument, PathSegment } from "../yaml-lines.js";
import { isPlainMap } from "../zod-kit.js";

export type Path = readonly PathSegment[];

export class Reporter {
  readonly diagnostics: Diagnostic[] = [];

  constructor(readonly doc: ParsedDocument) {}

  report(path: Path, code: ErrorCode, message: string): void {
    this.diagnostics.push({
      code,
      file: this.doc.file,
      path: this.doc.prefix + formatPath(path),
      line: this.doc.lineAt(path),
      message,
    });
  }

  /** The field's name as messages show it: `spec.ingress[0].from`. */
  name(path: Path): string {
    return `\`${formatPath(path)}\``;
  }

  /**
   * A plain map (a YAML 1.1 `!!set` is not an empty one), or undefined after reporting; `example`
   * ends the message ("write …").
   */
  map(value: unknown, path: Path, example: string): Record<string, unknown> | undefined {
    if (isPlainMap(value)) return value;
    this.wrongType(value, path, `a map, e.g. ${example}`);
    return undefined;
  }

  /** A list (null, as YAML reads `ingress:` with nothing after it, is an empty list). */
  list(value: unknown, path: Path, example: string): unknown[] | undefined {
    if (value === null) return [];
    if (Array.isArray(value)) return value;
    this.wrongType(value, path, `a list, e.g. ${example}`);
    return undefined;
  }

  string(value: unknown, path: Path, example: string): string | undefined {
    if (typeof value === "string") return value;
    this.wrongType(value, path, `a string, e.g. ${example}`);
    return undefined;
  }

  /** Reports each field not in `known`, suggesting the closest one (the message lists `shown`). */
  fields(
    obj: Record<string, unknown>,
    path: Path,
    kind: string,
    known: readonly string[],
    shown: readonly string[] = known,
  ): void {
    for (const field of Object.keys(obj)) {
      if (known.includes(field)) continue;
      const typo = didYouMean(field, known);
      const takes = `${kind} takes ${shown.join(", ")}`;
      this.report(
        [...path, field],
        "MSEG_POLICY_UNKNOWN_FIELD",
        `unknown field \`${field}\`${typo === "" ? `; ${takes}` : `${typo} (${takes})`}`,
      );
    }
  }

  wrongType(value: unknown, path: Path, expects: string): void {
    if (value === undefined) {
      this.report(
        path,
        "MSEG_POLICY_MISSING_FIELD",
        `${this.name(path)} is missing; add ${expects}`,
      );
      return;
    }
    this.report(
      path,
      "MSEG_POLICY_WRONG_TYPE",
      `${this.name(path)} must be ${expects}; got ${kindOf(value)}`,
    );
  }
}

function kindOf(value: unknown): string {
  if (value === null) return "nothing (an empty value)";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  if (typeof value === "string") return `the string "${value}"`;
  return `the ${typeof value} ${show(value)}`;
}

/** A view of one entry of a `kind: List` as a document of its own (`items[2].` paths). */
export function itemDocument(doc: ParsedDocument, index: number, value: unknown): ParsedDocument {
  return {
    file: doc.file,
    prefix: `${doc.prefix}items[${index}].`,
    value,
    lineAt: (path) => doc.lineAt(["items", index, ...path]),
  };
}
