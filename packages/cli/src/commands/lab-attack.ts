// `microseg lab attack scan|sweep|spread|decoy --from HOST`: attacker behaviour from inside a lab
// host, with real bounded TCP connection attempts (see @microseg/lab attack.ts), so detection,
// alerts and quarantine can be shown and tested on a real data plane.
import { ATTACK_KINDS, type AttackKind, labAttack } from "@microseg/lab";
import { Argument, Command, InvalidArgumentError, Option } from "commander";
import { printJson, write } from "../api/output.js";

interface AttackFlags {
  from: string;
  to: string[];
  ports?: string;
  timeout: number;
  json?: boolean;
}

export function labAttackCommand(): Command {
  return new Command("attack")
    .description("Act like an attacker from a lab host: scan, sweep, spread or touch a decoy.")
    .addArgument(new Argument("<kind>", "what to do").choices(ATTACK_KINDS))
    .requiredOption("--from <host>", "the lab host the attacker controls")
    .option("--to <target...>", "hosts or lab addresses to attack (default: every other host)", [])
    .option("--ports <ports>", "ports or ranges, e.g. 1-1024 or 22,445,3389")
    .addOption(
      new Option("--timeout <ms>", "how long one attempt may take")
        .default(300)
        .argParser((v) => milliseconds(v)),
    )
    .option("--json", "print the report as JSON")
    .addHelpText(
      "after",
      `
  scan    every port of --ports (default 1-1024) on one target (--to, default the first other host)
  sweep   one port (first of --ports, default 22) on every other host (or --to)
  spread  smb, rpc, winrm, ssh (445, 135, 5985, 22) on every other host (or --to)
  decoy   the --to decoys on what they listen on (or --ports; default 445)

Attempts are real TCP connections from the host's namespace, at most 256 at a time, each ending
after --timeout. The agents report them as flows; see what was detected with microseg alerts.

Examples:
  $ sudo npx microseg lab attack scan --from web-1 --to db-1 --ports 1-1024
  $ sudo npx microseg lab attack sweep --from web-1 --ports 3389
  $ sudo npx microseg lab attack decoy --from web-1 --to honey-1
  $ sudo npx microseg alerts`,
    )
    .action(async (kind: string, opts: AttackFlags) => {
      const report = await labAttack({
        kind: kind as AttackKind,
        from: opts.from,
        to: opts.to,
        timeoutMs: opts.timeout,
        ...(opts.ports !== undefined && { ports: opts.ports }),
      });
      if (opts.json === true) {
        printJson(report);
        return;
      }
      const hits = report.connected.map((c) => `${c.to} ${c.port}`);
      write(
        `${report.kind} from ${report.from}: ${report.attempts} attempts in ${report.ms} ms, ` +
          `${report.connected.length} connected${hits.length > 0 ? ` (${hits.slice(0, 10).join(", ")}${hits.length > 10 ? ", …" : ""})` : ""}\n`,
      );
    });
}

function milliseconds(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 50 || n > 10_000) {
    throw new InvalidArgumentError(`give milliseconds from 50 to 10000, not "${v}".`);
  }
  return n;
}
