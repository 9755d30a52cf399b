// Output helpers shared by the commands: aligned tables for people (the --json forms print the
// API's objects themselves), labels, ages, key=value input — and the one rule for what reaches a
// terminal. Values that came from a controller or a file may hold anything (an agent's words, a
// row an older controller stored); none may act on the terminal:
//
//   shown(value)   one value, every control character escaped (ESC -> \x1b, newline -> \n,
//                  U+202E -> \u202e): for values put into a line (tables, labels, messages)
//   write/writeErr the only ways to stdout/stderr for people: whole blocks, newline and tab kept
//                  as layout, every other control character escaped (a value missed above still
//                  cannot recolour, rewrite or reorder the screen)
//   printJson      JSON stays JSON: the characters JSON.stringify leaves raw (DEL, C1, U+2028/9,
//                  bidi controls) are written as \u escapes, which parse back to the same value
import { escapeControls, MicrosegError } from "@microseg/core";

/** A value from a controller or a file, fit for one line of a terminal. */
export function shown(value: unknown): string {
  return escapeControls(String(value));
}

/** Columns padded to their widest cell; the last column is not padded. Every cell is shown(). */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [headers, ...rows.map((r) => r.map(shown))];
  const widths = headers.map((_, i) => Math.max(...all.map((r) => (r[i] ?? "").length)));
  const line = (r: readonly string[]) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return `${all.map(line).join("\n")}\n`;
}

export function labelsText(labels: Readonly<Record<string, string>>): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${shown(k)}=${shown(v)}`);
  return pairs.length === 0 ? "-" : pairs.join(",");
}

/** `3s ago`, `5m ago`, `2h ago`, `4d ago`; `never` for null. */
export function ago(iso: string | null, now = Date.now()): string {
  if (iso === null) return "never";
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 120) return `${s}s ago`;
  if (s < 7200) return `${Math.round(s / 60)}m ago`;
  if (s < 172_800) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86_400)}d ago`;
}

/** `key=value` arguments -> labels; a malformed one is a usage error naming it. */
export function parsePairs(pairs: readonly string[], what = "label"): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) {
      throw new MicrosegError(
        "MSEG_USAGE",
        `${what} "${shown(pair)}" is not key=value (e.g. role=web)`,
      );
    }
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/** commander collector for repeatable options. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Text for people on stdout (see the top of the file). */
export function write(text: string): void {
  process.stdout.write(escapeControls(text, true));
}

/** Text for people on stderr (see the top of the file). */
export function writeErr(text: string): void {
  process.stderr.write(escapeControls(text, true));
}

/** What JSON.stringify leaves raw that a terminal acts on (it escapes C0 itself). */
const JSON_RAW = /[\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

/**
 * `value` as JSON text (indented by `indent`, 0: one line): the same value for a program, no raw
 * control character for a terminal.
 */
export function jsonText(value: unknown, indent = 2): string {
  return JSON.stringify(value, null, indent).replace(
    JSON_RAW,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

export function printJson(value: unknown, indent = 2): void {
  process.stdout.write(`${jsonText(value, indent)}\n`);
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
