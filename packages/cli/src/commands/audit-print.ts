// Prints audit pages as they arrive: a table whose columns only ever widen (the header is printed
// once, with the first page), or one JSON document written entry by entry.
import type { AuditEntry } from "@microseg/client";
import { jsonText, shown, write } from "../api/output.js";

export interface AuditPage {
  readonly entries: readonly AuditEntry[];
  readonly next: string | null;
}

const HEADERS = ["SEQ", "AT", "ACTOR", "ACTION", "TARGET"];

/** Prints every page; answers the last page's `next` (null: the log ended). */
export async function printEntries(
  pages: AsyncIterable<AuditPage>,
  json: boolean,
): Promise<string | null> {
  return json ? printJson(pages) : printTable(pages);
}

async function printTable(pages: AsyncIterable<AuditPage>): Promise<string | null> {
  const widths = HEADERS.map((h) => h.length);
  let next: string | null = null;
  let rows = 0;
  for await (const page of pages) {
    const cells = page.entries.map((e) =>
      [String(e.seq), e.at, e.actor, e.action, e.target].map(shown),
    );
    for (const r of cells) {
      r.forEach((c, i) => {
        widths[i] = Math.max(widths[i] ?? 0, c.length);
      });
    }
    if (rows === 0 && cells.length > 0) write(line(HEADERS, widths));
    for (const r of cells) write(line(r, widths));
    rows += cells.length;
    next = page.next;
  }
  if (rows === 0) write("no audit entries\n");
  return next;
}

function line(cells: readonly string[], widths: readonly number[]): string {
  const last = cells.length - 1;
  return `${cells
    .map((c, i) => (i === last ? c : c.padEnd(widths[i] ?? 0)))
    .join("  ")
    .trimEnd()}\n`;
}

/** `{"entries": [...], "next": …}`, the shape of one API page, however many pages it spans. */
async function printJson(pages: AsyncIterable<AuditPage>): Promise<string | null> {
  let next: string | null = null;
  let first = true;
  write('{\n  "entries": [');
  for await (const page of pages) {
    for (const e of page.entries) {
      write(`${first ? "" : ","}\n    ${jsonText(e, 0)}`);
      first = false;
    }
    next = page.next;
  }
  write(`${first ? "" : "\n  "}],\n  "next": ${JSON.stringify(next)}\n}\n`);
  return next;
}
