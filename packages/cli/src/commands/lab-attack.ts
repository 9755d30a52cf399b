// `microseg lab attack scan|sweep|spread|decoy|slow-scan|vuln-scan --from HOST`: attacker (or
// scanner) behaviour from inside a lab host, with real bounded connection attempts (see
// @microseg/lab attack.ts), so detection, alerts and quarantine can be shown and tested on a real
// data plane.
import {
  ATTACK_KINDS,
  type AttackKind,
  labAttack,
  parseEvery,
  VULN_SCAN_TCP,
  VULN_SCAN_UDP,
} from "@microseg/lab";
import { Argument, Command, InvalidArgumentError, Option } from "commander";
import { printJson, write } from "../api/output.js";

interface AttackFlags {
  from: string;
  to: string[];
  ports?: string;
  timeout: number;
  interval?: number;
  duration?: number;
  json?: boolean;
}

export function labAttackCommand(): Command {
  return new Command("attack")
    .description(
      "Act like an attacker or a scanner from a lab host: scan, sweep, spread, touch a decoy, scan slowly, or scan for vulnerabilities.",
    )
    .addArgument(new Argument("<kind>", "what to do").choices(ATTACK_KINDS))
    .requiredOption("--from <host>", "the lab host the attacker controls")
    .option("--to <target...>", "hosts or lab addresses to attack (default: every other host)", [])
    .option("--ports <ports>", "ports or ranges, e.g. 1-1024 or 22,445,3389")
    .addOption(
      new Option("--timeout <ms>", "how long one attempt may take")
        .default(300)
        .argParser((v) => milliseconds(v)),
    )
    .addOption(
      new Option(
        "--interval <duration>",
        "slow-scan: time between attempts (default 10s)",
      ).argParser((v) => durationMs(v, "--interval")),
    )
    .addOption(
      new Option("--duration <duration>", "slow-scan: how long it goes on (default 5m)").argParser(
        (v) => durationMs(v, "--duration"),
      ),
    )
    .option("--json", "print the report as JSON")
    .addHelpText(
      "after",
      `
  scan       every port of --ports (default 1-1024) on one target (--to, default the first
             other host)
  sweep      one port (first of --ports, default 22) on every other host (or --to)
  spread     smb, rpc, winrm, ssh (445, 135, 5985, 22) on every other host (or --to)
  decoy      the --to decoys on what they listen on (or --ports; default 445)
  slow-scan  one new port or host every --interval for --duration: the ports of --ports
             (default 1-1024) on --to (default the first other host), one host after the other
  vuln-scan  what an authorised vulnerability scanner does: ${VULN_SCAN_TCP.length} well-known TCP service ports and
             ${VULN_SCAN_UDP.length} UDP ones (or --ports, TCP) on every other host (or --to)

Attempts are real connections from the host's namespace (TCP connects; UDP gets an echo or not),
to lab addresses only (198.18.0.0/15), at most 256 at a time, each ending after --timeout; a
slow-scan makes one at a time, ceil(duration / interval) in all, and prints each as it goes.
The agents report them as flows; see what was detected with microseg alerts.

Examples:
  $ sudo npx microseg lab attack scan --from web-1 --to db-1 --ports 1-1024
  $ sudo npx microseg lab attack sweep --from web-1 --ports 3389
  $ sudo npx microseg lab attack decoy --from web-1 --to honey-1
  $ sudo npx microseg lab attack slow-scan --from web-1 --to db-1 --interval 10s --duration 5m
  $ sudo npx microseg lab attack vuln-scan --from scanner-1
  $ sudo npx microseg alerts`,
    )
    .action(async (kind: string, opts: AttackFlags) => {
      const report = await labAttack({
        kind: kind as AttackKind,
        from: opts.from,
        to: opts.to,
        timeoutMs: opts.timeout,
        ...(opts.ports !== undefined && { ports: opts.ports }),
        ...(opts.interval !== undefined && { intervalMs: opts.interval }),
        ...(opts.duration !== undefined && { durationMs: opts.duration }),
        ...(opts.json !== true && { onAttempt: (r) => write(`${r.to} ${r.port} ${r.verdict}\n`) }),
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

function durationMs(v: string, flag: string): number {
  const ms = parseEvery(v);
  if (ms === undefined) {
    throw new InvalidArgumentError(
      `give ${flag} as a duration such as 500ms, 10s or 5m, not "${v}".`,
    );
  }
  return ms;
}
