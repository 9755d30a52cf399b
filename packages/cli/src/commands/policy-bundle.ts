// Several policy files -> the one YAML text the controller keeps as its draft (documents joined
// by `---`), and back: a diagnostic's line and `documents[i]` path in that text -> the file, line
// and path `policy check` would have printed for that file alone.
import { readFile } from "node:fs/promises";
import { MicrosegError } from "@microseg/core";

interface Part {
  readonly file: string;
  /** The 1-based line of the bundle where the file starts. */
  readonly start: number;
  /** Index of the file's first YAML document in the bundle, and how many it has. */
  readonly firstDoc: number;
  readonly docs: number;
}

export interface Bundle {
  readonly text: string;
  readonly parts: readonly Part[];
}

const MARKER = /^---(\s|$)/;

export async function bundleFiles(files: readonly string[]): Promise<Bundle> {
  const parts: Part[] = [];
  const chunks: string[] = [];
  let line = 1;
  let doc = 0;
  for (const file of files) {
    const text = await readText(file);
    const body = text.endsWith("\n") || text === "" ? text : `${text}\n`;
    if (chunks.length > 0 && !MARKER.test(body)) {
      chunks.push("---\n");
      line += 1;
    }
    const docs = documentCount(body);
    parts.push({ file, start: line, firstDoc: doc, docs });
    chunks.push(body);
    line += body.split("\n").length - 1;
    doc += docs;
  }
  return { text: chunks.join(""), parts };
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (e) {
    throw new MicrosegError("MSEG_FILE_UNREADABLE", `${file}: ${(e as Error).message}`);
  }
}

/** `---` lines, plus one when content comes before the first (or there is none). */
function documentCount(text: string): number {
  const lines = text.split("\n");
  const markers = lines.filter((l) => MARKER.test(l)).length;
  const first = lines.findIndex((l) => MARKER.test(l));
  const before = first === -1 ? lines : lines.slice(0, first);
  const content = before.some((l) => l.trim() !== "" && !l.trim().startsWith("#"));
  return Math.max(1, markers + (content ? 1 : 0));
}

export interface Located {
  readonly file: string;
  readonly line?: number;
  readonly path: string;
}

/** Where a diagnostic of the bundle (its line, its `documents[i].…` path) is in the files. */
export function locate(bundle: Bundle, at: { line?: number; path: string }): Located {
  const doc = /^documents\[(\d+)\]\.?/.exec(at.path);
  const part = partOf(bundle, at.line, doc === null ? undefined : Number(doc[1]));
  if (part === undefined) return { file: "policy.yaml", ...at };
  const rest = doc === null ? at.path : at.path.slice(doc[0].length);
  const local = doc === null ? undefined : Number(doc[1]) - part.firstDoc;
  const path = local === undefined || part.docs === 1 ? rest : `documents[${local}].${rest}`;
  return {
    file: part.file,
    path: path.replace(/\.$/, ""),
    ...(at.line !== undefined && { line: at.line - part.start + 1 }),
  };
}

function partOf(bundle: Bundle, line?: number, doc?: number): Part | undefined {
  let found = bundle.parts[0];
  for (const part of bundle.parts) {
    if (line !== undefined ? part.start <= line : doc !== undefined && part.firstDoc <= doc) {
      found = part;
    }
  }
  return found;
}
