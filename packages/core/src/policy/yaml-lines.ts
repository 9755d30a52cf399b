// YAML text -> plain values, keeping a way back from a path (`rules[3].to.app`) to a line.
// One file may hold several `---` documents; each is validated on its own.
//
//   text ──bytes──> readTokens (documents, depth) ──Composer──> AST ──expandedSize──> toJS
//
// Every step refuses what would make the next one too costly (limits.ts), with its own code.

import { Composer, type Document, isMap, isScalar, isSeq, LineCounter, type Node } from "yaml";
import type { Diagnostic } from "../diagnostics.js";
import { count, POLICY_LIMITS, type PolicyLimits } from "./limits.js";
import { expandedSize, type SizeCount } from "./yaml-size.js";
import { readTokens } from "./yaml-tokens.js";

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

export function parseYamlFile(
  file: string,
  text: string,
  limits: PolicyLimits = POLICY_LIMITS,
): ParsedFile {
  const bytes = utf8Bytes(text);
  if (bytes > limits.maxFileBytes) return refused(fileTooLarge(file, bytes, limits));
  const lines = new LineCounter();
  const read = readTokens(file, text, lines, limits);
  if (!read.ok) return refused(read.diagnostic);
  const docs = [...new Composer().compose(read.tokens)];
  const diagnostics: Diagnostic[] = [];
  const documents: ParsedDocument[] = [];
  let nodes = 0;
  for (const [index, doc] of docs.entries()) {
    const errors = syntaxErrors(file, text, doc, lines);
    if (errors.length > 0) {
      diagnostics.push(...errors);
      continue;
    }
    const size = expandedSize(doc, nodes, limits.maxYamlNodes);
    if (!size.ok) return refused(sizeProblem(file, size, lines, limits));
    nodes = size.total;
    const value = toPlain(doc);
    if (!value.ok) {
      diagnostics.push({ code: "MSEG_YAML_SYNTAX", file, path: "", message: value.message });
      continue;
    }
    const prefix = docs.length > 1 ? `documents[${index}].` : "";
    const lineAt = (path: readonly PathSegment[]) => lineOf(doc.contents, path, lines);
    documents.push({ file, prefix, value: value.value, lineAt });
  }
  return { documents, diagnostics };
}

/** A file refused as a whole: none of its documents is read. */
function refused(diagnostic: Diagnostic): ParsedFile {
  return { documents: [], diagnostics: [diagnostic] };
}

/** UTF-8 length without encoding: 1-3 bytes per UTF-16 unit, 4 per surrogate pair. */
function utf8Bytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** Also for callers that see a file's size before reading it. */
export function fileTooLarge(
  file: string,
  bytes: number,
  limits: PolicyLimits = POLICY_LIMITS,
): Diagnostic {
  return {
    code: "MSEG_YAML_TOO_LARGE",
    file,
    path: "",
    message:
      `the file is ${count(bytes)} bytes, more than the limit of ${count(limits.maxFileBytes)} bytes per file; ` +
      "split it into several files (all files given together form one policy)",
  };
}

function sizeProblem(
  file: string,
  size: Exclude<SizeCount, { ok: true }>,
  lines: LineCounter,
  limits: PolicyLimits,
): Diagnostic {
  const line = startLine(size.at, lines);
  const at = line === undefined ? {} : { line };
  if (size.reason !== "over") {
    const message =
      size.reason === "cycle"
        ? `the alias \`*${size.alias}\` stands inside the very node it names, which would never end; remove the alias or move it out of that node`
        : `the alias \`*${size.alias}\` names no anchor before it; mark the node it stands for with \`&${size.alias}\` earlier in the document, or write the value out`;
    return { code: "MSEG_YAML_SYNTAX", file, path: "", ...at, message };
  }
  return {
    code: "MSEG_YAML_TOO_MANY_NODES",
    file,
    path: "",
    ...at,
    message:
      `the file expands to more than ${count(limits.maxYamlNodes)} YAML nodes once each alias (\`*name\`) counts as what it names, and this is where it passes the limit; ` +
      "write a repeated part once (a service, a scope, a selector list) instead of aliasing it many times, or split the file",
  };
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
    // Aliases were counted by their expanded size already; yaml's own count is a cruder guard.
    return { ok: true, value: doc.toJS({ maxAliasCount: -1 }) };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return {
      ok: false,
      message: `the YAML could not be read (${reason}); check the anchors and aliases`,
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
