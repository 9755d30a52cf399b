// `microseg audit [list|verify]`: the controller's append-only, keyed audit log. `list` reads a
// page at a time (the controller answers at most 1,000 entries per request) and prints each page
// as it arrives, so `--all` never holds the whole log. `verify` exits 0 when the chain and every
// anchor hold and 1 when an entry was deleted, edited, reordered or cut off.
import type { ControllerClient } from "@microseg/client";
import { MicrosegError } from "@microseg/core";
import { AUDIT_ANCHORS_MAX, AUDIT_PAGE_MAX } from "@microseg/protocol";
import { Command } from "commander";
import { connect } from "../api/connect.js";
import { CONNECTION_HELP, type WithConnection, withConnection } from "../api/options.js";
import { collect, printJson, shown, write, writeErr } from "../api/output.js";
import { type Anchor, parseAnchorFlag, readAnchorFile } from "./audit-anchors.js";
import { type AuditPage, printEntries } from "./audit-print.js";

type ListFlags = WithConnection<{
  json?: boolean;
  limit?: string;
  after?: string;
  target?: string;
  all?: boolean;
}>;
type VerifyFlags = WithConnection<{
  json?: boolean;
  seq?: string;
  hash?: string;
  anchor: string[];
  anchors: string[];
}>;

export function auditCommand(): Command {
  return new Command("audit")
    .description("Read the audit log (who changed what, when) and verify its keyed hash chain.")
    .addCommand(listCommand(), { isDefault: true })
    .addCommand(verifyCommand())
    .addHelpText(
      "after",
      `
Examples:
  $ npx microseg audit --limit 20
  $ npx microseg audit --target workload/web-1 --json
  $ npx microseg audit --all --json > audit.json        # every entry, page by page
  $ npx microseg audit verify
  $ npx microseg audit verify --anchor 120:3f…           # also check a head exported earlier
  $ npx microseg audit verify --anchors /var/log/microseg-anchors.log
${CONNECTION_HELP}`,
    );
}

function listCommand(): Command {
  return withConnection(new Command("list"))
    .description("list entries, oldest first (the default); one page of 100 unless told more")
    .option("--after <seq>", "only entries after this sequence number")
    .option("--limit <n>", "at most this many entries (fetched in pages of up to 1,000)")
    .option("--all", "every entry (after --after), fetched and printed a page at a time")
    .option("--target <target>", "only entries about this target")
    .option("--json", "print the entries, with before and after, as JSON on stdout")
    .action(async (opts: ListFlags) => {
      const limit = opts.limit === undefined ? undefined : count(opts.limit, "--limit");
      if (limit === 0) throw new MicrosegError("MSEG_USAGE", "--limit must be 1 or more");
      if (opts.all === true && limit !== undefined) {
        throw new MicrosegError("MSEG_USAGE", "--all and --limit do not go together");
      }
      const client = await connect(opts);
      const q = {
        ...(opts.after !== undefined && { afterSeq: count(opts.after, "--after") }),
        ...(opts.target !== undefined && { target: opts.target }),
      };
      const wanted = opts.all === true ? Number.POSITIVE_INFINITY : limit;
      const next = await printEntries(pages(client, q, wanted), opts.json === true);
      if (next !== null && opts.json !== true && opts.all !== true) {
        const after = new URLSearchParams(next.split("?")[1]).get("afterSeq");
        writeErr(`more entries: microseg audit --after ${after} (or --all)\n`);
      }
    });
}

/**
 * The pages of the log from `q` on, until `wanted` entries were read (undefined: one page of the
 * controller's default size). Each page is fetched when the previous one was printed.
 */
async function* pages(
  client: ControllerClient,
  q: { afterSeq?: number; target?: string },
  wanted: number | undefined,
): AsyncGenerator<AuditPage> {
  let left = wanted ?? 0;
  const size = () => Math.min(AUDIT_PAGE_MAX, left);
  let page = await client.audit(wanted === undefined ? q : { ...q, limit: size() });
  for (;;) {
    const entries = wanted === undefined ? page.entries : page.entries.slice(0, left);
    left -= entries.length;
    const next = page.next ?? null;
    yield { entries, next };
    if (wanted === undefined || left <= 0 || next === null) return;
    // Ask for what is still wanted: the controller keeps the filter in `next`.
    const params = new URLSearchParams(next.split("?")[1]);
    params.set("limit", String(size()));
    page = await client.auditPage(`${next.split("?")[0]}?${params}`);
  }
}

function verifyCommand(): Command {
  return withConnection(new Command("verify"))
    .description(
      "check the keyed hash chain and anchors; exit 0 intact, 1 broken (the first bad seq is named)",
    )
    .option(
      "--anchor <seq:hash>",
      "a head exported earlier (log, syslog, webhook, or an earlier verify); repeatable",
      collect,
      [],
    )
    .option(
      "--anchors <file>",
      "every anchor in this file (the controller's log or syslog lines, SEQ:HASH lines); repeatable",
      collect,
      [],
    )
    .option("--seq <seq>", "with --hash: one anchor (the same as --anchor SEQ:HASH)")
    .option("--hash <hash>", "the hash of entry --seq")
    .option("--json", "print the verdict as JSON on stdout")
    .action(async (opts: VerifyFlags) => {
      const anchors = anchorsOf(opts);
      const client = await connect(opts);
      // One walk per 10,000 anchors (the controller's limit per request).
      let v = await client.verifyAudit(anchors.slice(0, AUDIT_ANCHORS_MAX));
      for (let i = AUDIT_ANCHORS_MAX; v.ok && i < anchors.length; i += AUDIT_ANCHORS_MAX) {
        v = await client.verifyAudit(anchors.slice(i, i + AUDIT_ANCHORS_MAX));
      }
      if (opts.json === true) printJson(v);
      if (v.ok) {
        const head = v.head === null ? "empty" : `head seq ${v.head.seq} hash ${v.head.hash}`;
        const held = anchors.length === 0 ? "" : `; ${anchors.length} anchors hold`;
        if (opts.json !== true) write(`audit log intact: ${v.count} entries, ${head}${held}\n`);
        process.exitCode = 0;
      } else {
        writeErr(`audit log broken at seq ${v.seq} (${v.problem}): ${shown(v.message)}\n`);
        process.exitCode = 1;
      }
    });
}

function anchorsOf(opts: VerifyFlags): Anchor[] {
  if ((opts.seq === undefined) !== (opts.hash === undefined)) {
    throw new MicrosegError("MSEG_USAGE", "--seq and --hash go together");
  }
  const anchors = [
    ...opts.anchor.map(parseAnchorFlag),
    ...opts.anchors.flatMap(readAnchorFile),
    ...(opts.seq === undefined ? [] : [parseAnchorFlag(`${opts.seq}:${opts.hash}`)]),
  ];
  // The same anchor exported twice (log and syslog) is checked once.
  const seen = new Set<string>();
  return anchors.filter((a) => {
    const key = `${a.seq}:${a.hash}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function count(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) {
    throw new MicrosegError("MSEG_USAGE", `${what} "${text}" is not a whole number`);
  }
  return n;
}
