// YAML text -> plain values, keeping a way back from a path (`rules[3].to.app`) to a line.
// One file may hold several `---` documents; each is validated on its own.

import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseAllDocuments,
} from "yaml";
import type { Diagnostic } from "../diagnostics.js";

export type PathSegment = string | number;

export interface ParsedDocument {
  readonly file: string;
  /** Prepended to every path when the file holds more than one document: `documents[1].`. */
  readonly prefix: string;
  readonly value: unknown;
  /** 1-based line of the deepest node that exists along `path`. */
  lineAt(path: readonly PathSegment[]): number | undefined;
}

export interface ParsedFile {
  readonly documents: readonly ParsedDocument[];
  readonly diagnostics: readonly Diagnostic[];
}

export function parseYamlFile(file: string, text: string): ParsedFile {
  const lines = new LineCounter();
  const docs = [...parseAllDocuments(text, { lineCounter: lines, prettyErrors: false })];
  const diagnostics: Diagnostic[] = [];
  const documents: ParsedDocument[] = [];
  docs.forEach((doc, index) => {
    const errors = syntaxErrors(file, text, doc, lines);
    if (errors.length > 0) {
      diagnostics.push(...errors);
      return;
    }
    const value = toPlain(doc);
    if (!value.ok) {
      diagnostics.push({ code: "MSEG_YAML_SYNTAX", file, path: "", message: value.message });
      return;
    }
    const prefix = docs.length > 1 ? `documents[${index}].` : "";
    const lineAt = (path: readonly PathSegment[]) => lineOf(doc.contents, path, lines);
    documents.push({ file, prefix, value: value.value, lineAt });
  });
  return { documents, diagnostics };
}

function syntaxErrors(file: string, text: string, doc: Document, lines: LineCounter): Diagnostic[] {
  return doc.errors.map((err) => {
    const start = err.pos[0];
    const line = lines.linePos(start).line;
    const key = /^[^:\n]*/.exec(text.slice(start))?.[0].trim() ?? "";
    const message =
      err.code === "DUPLICATE_KEY"
        ? `the key \`${key}\` appears twice in the same map; keep only one of them`
        : `YAML syntax error: ${err.message.replace(/\.$/, "")}; check the indentation, colons and quotes on this line`;
    return { code: "MSEG_YAML_SYNTAX", file, path: "", line, message };
  });
}

function toPlain(doc: Document): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: 1000 }) };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return {
      ok: false,
      message: `the YAML could not be read (${reason}); remove excessive aliases`,
    };
  }
}

function lineOf(
  root: unknown,
  path: readonly PathSegment[],
  lines: LineCounter,
): number | undefined {
  let node = root;
  let line = startLine(node, lines);
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isScalar(p.key) && String(p.key.value) === String(segment),
      );
      if (pair === undefined) break;
      line = startLine(pair.key, lines) ?? line;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === "number") {
      node = node.items[segment];
      line = startLine(node, lines) ?? line;
    } else {
      break;
    }
  }
  return line;
}

function startLine(node: unknown, lines: LineCounter): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range === undefined || range === null ? undefined : lines.linePos(range[0]).line;
}
