// `microseg lab traffic [--once] | start | stop | status`: the lab's background traffic, the
// scenario's `traffic:` plan run as real connections between lab hosts (@microseg/lab traffic/).
// Options stop at subcommands (positional options), so `lab traffic --once --json` and
// `lab traffic status --json` each reach their own command; subcommands read optsWithGlobals()
// so `lab traffic --json status` works too.
import {
  labTrafficOnce,
  labTrafficStart,
  labTrafficStatus,
  labTrafficStop,
  parseEvery,
  type TrafficResult,
  type TrafficStatus,
} from "@microseg/lab";
import { Command, InvalidArgumentError, Option } from "commander";
import { collect, printJson, table, write } from "../api/output.js";

export function labTrafficCommand(): Command {
  return new Command("traffic")
    .description(
      "Background traffic between lab hosts: the scenario's traffic: plan as real, periodic, " +
        "jittered TCP/UDP connections. --once runs every flow once and prints what happened.",
    )
    .enablePositionalOptions()
    .option("--once", "run every flow of the plan once, now, and print each verdict")
    .option("--json", "print JSON on stdout: {results:[{from,to,port,verdict}]} with --once")
    .option("--host <name>", "with --once: only flows from or to this host (repeatable)", collect)
    .addOption(timeoutOption())
    .addCommand(startCommand())
    .addCommand(stopCommand())
    .addCommand(statusCommand())
    .addHelpText(
      "after",
      `
The plan is the traffic: section of the scenario the lab came up from, e.g.

  traffic:
    - { from: [web-1, web-2], to: [app-1, app-2], port: tcp/8080, every: 2s }
    - { from: app-1, to: db-1, port: tcp/5432, every: 3s }

Each flow is opened from inside the source host's namespace (by the lab's host server), about
every \`every\` (±20 %), TCP connect or UDP echo, so agents see and policy judges real traffic.
The driver runs detached until lab traffic stop, lab down, or --for has passed.

Examples:
  $ sudo npx microseg lab traffic start
  $ sudo npx microseg lab traffic status
  $ sudo npx microseg lab traffic --once --json
  $ sudo npx microseg lab traffic --once --host attacker
  $ sudo npx microseg lab traffic stop`,
    )
    .action(async (opts: { once?: boolean; json?: boolean; host?: string[]; timeout: number }) => {
      if (opts.once !== true) {
        write(humanStatus(labTrafficStatus()));
        return;
      }
      const results = await labTrafficOnce({
        timeoutMs: opts.timeout,
        ...(opts.host !== undefined && { hosts: opts.host }),
      });
      if (opts.json === true) printJson({ results });
      else write(humanOnce(results));
    });
}

function startCommand(): Command {
  return new Command("start")
    .description("start the background traffic (does nothing when it already runs)")
    .addOption(
      new Option("--for <duration>", "stop by itself after this long, e.g. 10m or 2h")
        .default("8h")
        .argParser(duration),
    )
    .addOption(timeoutOption())
    .option("--json", "print the driver's status as JSON")
    .addHelpText("after", "\nExamples:\n  $ sudo npx microseg lab traffic start --for 30m")
    .action(async (_opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<{ for: number | string; timeout: number; json?: boolean }>();
      const seconds = typeof opts.for === "number" ? opts.for : duration(opts.for);
      const status = await labTrafficStart({ seconds, timeoutMs: opts.timeout });
      if (opts.json === true) printJson(status);
      else write(`background traffic runs: ${status.flows.length} flows (pid ${status.pid})\n`);
    });
}

function stopCommand(): Command {
  return new Command("stop")
    .description("stop the background traffic (exits 0 also when none runs)")
    .option("--json", "print the final status as JSON")
    .addHelpText("after", "\nExamples:\n  $ sudo npx microseg lab traffic stop")
    .action(async (_opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<{ json?: boolean }>();
      const status = await labTrafficStop();
      if (opts.json === true) printJson(status);
      else write(`background traffic stopped\n${humanStatus(status)}`);
    });
}

function statusCommand(): Command {
  return new Command("status")
    .description("what the background traffic did so far, per flow")
    .option("--json", "print the status as JSON")
    .addHelpText("after", "\nExamples:\n  $ npx microseg lab traffic status --json")
    .action((_opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<{ json?: boolean }>();
      const status = labTrafficStatus();
      if (opts.json === true) printJson(status);
      else write(humanStatus(status));
    });
}

function timeoutOption(): Option {
  return new Option("--timeout <ms>", "how long one attempt may take before it counts as blocked")
    .default(1000)
    .argParser((v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 50 || n > 10_000) {
        throw new InvalidArgumentError(`give milliseconds from 50 to 10000, not "${v}".`);
      }
      return n;
    });
}

function duration(v: string): number {
  const ms = parseEvery(v);
  if (ms === undefined || ms < 1000) {
    throw new InvalidArgumentError(`give a duration of at least 1s, e.g. 30m or 2h, not "${v}".`);
  }
  return Math.round(ms / 1000);
}

export function humanOnce(results: readonly TrafficResult[]): string {
  const rows = results.map((r) => [`${r.from} -> ${r.to}`, r.port, r.verdict]);
  const allowed = results.filter((r) => r.verdict === "allowed").length;
  return `${table(["flow", "port", "verdict"], rows)}\n${results.length} flows: ${allowed} allowed, ${results.length - allowed} blocked\n`;
}

export function humanStatus(status: TrafficStatus): string {
  const head = status.running
    ? `background traffic runs (pid ${status.pid}, since ${status.startedAt ?? "?"})\n`
    : "background traffic is not running (start it with microseg lab traffic start)\n";
  if (status.flows.length === 0) return head;
  const rows = status.flows.map((f) => [
    `${f.from} -> ${f.to}`,
    f.port,
    `${f.everyMs / 1000}s`,
    String(f.attempts),
    String(f.allowed),
    String(f.blocked),
    f.last || "-",
  ]);
  return `${head}\n${table(["flow", "port", "every", "tries", "allowed", "blocked", "last"], rows)}`;
}
