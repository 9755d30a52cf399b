// Several policy files -> the one YAML text the controller keeps as its draft (documents joined
// by `---`), and back: a diagnostic's line in that text -> the file and line it came from, so
// `policy apply` reports problems exactly as `policy check` does.
import { readFile } from "node:fs/promises";
import { MicrosegError } from "@microseg/core";

export interface Bundle {
  readonly text: string;
  /** The 1-based line of the bundle where each file starts. */
  readonly parts: readonly { readonly file: string; readonly start: number }[];
}

export async function bundleFiles(files: readonly string[]): Promise<Bundle> {
  const parts: { file: string; start: number }[] = [];
  const chunks: string[] = [];
  let line = 1;
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (e) {
      throw new MicrosegError("MSEG_FILE_UNREADABLE", `${file}: ${(e as Error).message}`);
    }
    if (chunks.length > 0) {
      chunks.push("---\n");
      line += 1;
    }
    const body = text.endsWith("\n") || text === "" ? text : `${text}\n`;
    parts.push({ file, start: line });
    chunks.push(body);
    line += body.split("\n").length - 1;
  }
  return { text: chunks.join(""), parts };
}

/** The file and its own line for a line of the bundle. */
export function locate(bundle: Bundle, line: number): { file: string; line: number } {
  let found = bundle.parts[0] ?? { file: "policy.yaml", start: 1 };
  for (const part of bundle.parts) if (part.start <= line) found = part;
  return { file: found.file, line: line - found.start + 1 };
}
