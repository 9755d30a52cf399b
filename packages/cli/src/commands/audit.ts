// `microseg audit [list|verify]`: the controller's append-only, hash-chained audit log. `verify`
// exits 0 when the chain is intact and 1 when an entry was deleted, edited or reordered.
import { MicrosegError } from "@microseg/core";
import { Command } from "commander";
import { connect } from "../api/connect.js";
import { CONNECTION_HELP, type WithConnection, withConnection } from "../api/options.js";
import { printJson, shown, table, write, writeErr } from "../api/output.js";

type ListFlags = WithConnection<{
  json?: boolean;
  limit?: string;
  after?: string;
  target?: string;
}>;
type VerifyFlags = WithConnection<{ json?: boolean; seq?: string; hash?: string }>;

export function auditCommand(): Command {
  return new Command("audit")
    .description("Read the audit log (who changed what, when) and verify its hash chain.")
    .addCommand(listCommand(), { isDefault: true })
    .addCommand(verifyCommand())
    .addHelpText(
      "after",
      `
Examples:
  $ npx microseg audit --limit 20
  $ npx microseg audit --target workload/web-1 --json
  $ npx microseg audit verify
  $ npx microseg audit verify --seq 120 --hash 3f…   # also check the head printed earlier
${CONNECTION_HELP}`,
    );
}

function listCommand(): Command {
  return withConnection(new Command("list"))
    .description("list entries, oldest first (the default)")
    .option("--after <seq>", "only entries after this sequence number")
    .option("--limit <n>", "at most this many entries")
    .option("--target <target>", "only entries about this target")
    .option("--json", "print the entries, with before and after, as JSON on stdout")
    .action(async (opts: ListFlags) => {
      const q = {
        ...(opts.after !== undefined && { afterSeq: count(opts.after, "--after") }),
        ...(opts.limit !== undefined && { limit: count(opts.limit, "--limit") }),
        ...(opts.target !== undefined && { target: opts.target }),
      };
      const { entries } = await (await connect(opts)).audit(q);
      if (opts.json === true) return printJson({ entries });
      if (entries.length === 0) return write("no audit entries\n");
      const rows = entries.map((e) => [String(e.seq), e.at, e.actor, e.action, e.target]);
      write(table(["SEQ", "AT", "ACTOR", "ACTION", "TARGET"], rows));
    });
}

function verifyCommand(): Command {
  return withConnection(new Command("verify"))
    .description("check the hash chain; exit 0 intact, 1 broken (the first bad seq is named)")
    .option("--seq <seq>", "with --hash: a head printed by an earlier verify, checked too")
    .option("--hash <hash>", "the hash of entry --seq")
    .option("--json", "print the verdict as JSON on stdout")
    .action(async (opts: VerifyFlags) => {
      if ((opts.seq === undefined) !== (opts.hash === undefined)) {
        throw new MicrosegError("MSEG_USAGE", "--seq and --hash go together");
      }
      const anchor =
        opts.seq === undefined
          ? undefined
          : { seq: count(opts.seq, "--seq"), hash: opts.hash ?? "" };
      const v = await (await connect(opts)).verifyAudit(anchor);
      if (opts.json === true) printJson(v);
      if (v.ok) {
        const head = v.head === null ? "empty" : `head seq ${v.head.seq} hash ${v.head.hash}`;
        if (opts.json !== true) write(`audit log intact: ${v.count} entries, ${head}\n`);
        process.exitCode = 0;
      } else {
        writeErr(`audit log broken at seq ${v.seq} (${v.problem}): ${shown(v.message)}\n`);
        process.exitCode = 1;
      }
    });
}

function count(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) {
    throw new MicrosegError("MSEG_USAGE", `${what} "${text}" is not a whole number`);
  }
  return n;
}
