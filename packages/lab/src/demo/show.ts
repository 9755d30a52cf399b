// How the demo prints: commands as the user would type them, their output indented, short
// tables of flows. Pure string helpers.
import type { CliRun } from "./types.js";

/** `$ microseg flows --json` */
export function commandLine(args: readonly string[]): string {
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`);
  return `$ microseg ${args.map(quote).join(" ")}`;
}

/** A command's output (stdout, then stderr), indented; long output cut to `maxLines`. */
export function indented(run: CliRun, maxLines = 25): string {
  const lines = `${run.out}${run.err}`.trimEnd().split("\n");
  const shown = lines.slice(0, maxLines).map((l) => `    ${l}`);
  if (lines.length > maxLines) shown.push(`    … (${lines.length - maxLines} more lines)`);
  return shown.join("\n");
}

/** Aligned rows, two spaces apart, indented by four. */
export function rows(table: readonly (readonly string[])[]): string {
  const widths = (table[0] ?? []).map((_, i) => Math.max(...table.map((r) => (r[i] ?? "").length)));
  return table
    .map((r) => `    ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ")}`.trimEnd())
    .join("\n");
}

/** The "not in this build yet" sentence every step uses for a missing capability. */
export function notYet(what: string, instead: string): string {
  return `(${what} is not in this build of microseg yet; ${instead})`;
}

/** Parses a command's --json output, or undefined when it did not print JSON. */
export function jsonOf<T>(run: CliRun): T | undefined {
  try {
    return JSON.parse(run.out) as T;
  } catch {
    return undefined;
  }
}
