// `microseg demo [--step S | --guided]` and `microseg demo down`: the whole story on a lab —
// learn, recommend, test, enforce, attack, quarantine — each step running the real commands.
// The story lives in @microseg/lab (demo/); this file checks the machine, wires the steps to
// this CLI (each command runs as a child `microseg` process, as the user would type it) and
// prints. See docs/demo.md.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import {
  type CliRun,
  DEMO_STEPS,
  type DemoStep,
  type DemoTools,
  labDown,
  missingPrerequisites,
  type PrerequisiteChecks,
  prerequisitesMessage,
  runDemo,
  type StepResult,
  systemChecks,
} from "@microseg/lab";
import { Command, type Command as CommandType, InvalidArgumentError, Option } from "commander";
import { printJson, write, writeErr } from "../api/output.js";

const CLI_BIN = fileURLToPath(new URL("../../bin/microseg.js", import.meta.url));

interface DemoFlags {
  step?: DemoStep;
  guided?: boolean;
  learnSeconds: number;
  testSeconds: number;
  pauseSeconds: number;
  json?: boolean;
}

export function demoCommand(): Command {
  return new Command("demo")
    .description(
      "The whole story in one command: a lab shop in learn mode with real traffic, its policy " +
        "learned, tested, enforced; an attacker scans and is quarantined (needs root).",
    )
    .enablePositionalOptions()
    .addOption(
      new Option("--step <step>", "run one step only (the lab comes up first if needed)").choices(
        DEMO_STEPS,
      ),
    )
    .option("--guided", "wait for Enter before each step")
    .addOption(seconds("--learn-seconds <s>", "how long the learn step watches traffic", 20))
    .addOption(seconds("--test-seconds <s>", "how long test mode runs before counting", 10))
    .addOption(seconds("--pause-seconds <s>", "pause between steps (without --guided)", 3))
    .option("--json", "print every step's result as JSON on stdout at the end")
    .addCommand(demoDownCommand())
    .addHelpText(
      "after",
      `
What happens (docs/demo.md tells the story and how to follow it in the console):
  0. checks root, nftables, conntrack and iproute2 (nothing is touched when one is missing),
     brings up examples/demo — web-1/2, app-1/2, db-1, backup-1, jump-1, an attacker and
     vuln-1 (a vulnerability scanner nobody declared), all in learn mode with no policy —
     starts its background traffic, prints the console URL and the admin token
  1. learn       traffic runs while vuln-1 sweeps closed ports on the servers; the flow graph
                 (microseg flows) shows what talks to what, the refused sweep counted apart;
                 the sweep raises a scan alert
  2. recommend   microseg policy recommend --save: answered flows -> least-privilege draft;
                 the sweep is left out, none of its ports is opened
  3. test        the draft is provisioned, workloads in test mode: would-block = 0
  4. enforce     workloads enforce; normal traffic flows, everything else is blocked
  5. attack      the attacker scans and fans out; scan, lateral-movement and
                 ransomware-spread alerts appear (microseg alerts)
  6. quarantine  the attacker is cut off; the shop's traffic goes on
Steps run the real commands and say plainly when this build lacks one. The lab stays up
afterwards: explore it with microseg flows, alerts, lab traffic status; remove it with
microseg demo down. Exits 0 when every step's check held, 1 otherwise.

Examples:
  $ sudo npx microseg demo
  $ sudo npx microseg demo --guided
  $ sudo npx microseg demo --step attack
  $ sudo npx microseg demo --learn-seconds 60 --json
  $ sudo npx microseg demo down`,
    )
    .action(async (flags: DemoFlags) => {
      process.exitCode = await runDemoCommand(flags);
    });
}

function demoDownCommand(): Command {
  return new Command("down")
    .description("Remove the demo lab (the same as microseg lab down).")
    .addHelpText("after", "\nExamples:\n  $ sudo npx microseg demo down")
    .action(async () => {
      const report = await labDown();
      write(
        report.namespaces.length === 0
          ? "no lab was up; nothing to remove\n"
          : `removed ${report.namespaces.length} namespaces and ${report.processes} processes\n`,
      );
      if (report.leftovers.length > 0) process.exitCode = 3;
    });
}

/** The demo from its flags; resolves to the exit code. `checks` and `tools` are for tests. */
export async function runDemoCommand(
  flags: DemoFlags,
  checks: PrerequisiteChecks = systemChecks,
  tools?: DemoTools,
): Promise<number> {
  const missing = missingPrerequisites(checks);
  if (missing.length > 0) {
    writeErr(prerequisitesMessage(missing));
    return 3;
  }
  const use = tools ?? (await defaultTools());
  const steps = flags.step === undefined ? DEMO_STEPS : [flags.step];
  const results = await runDemo(use, {
    steps,
    learnSeconds: flags.learnSeconds,
    testSeconds: flags.testSeconds,
    alertSeconds: 20,
    between: flags.guided === true ? waitForEnter : pause(flags.pauseSeconds, use),
  });
  use.say(
    "\nThe demo lab stays up. Explore: microseg flows · microseg alerts · microseg lab traffic status",
  );
  use.say("Remove it with: sudo npx microseg demo down");
  if (flags.json === true) printJson({ steps: results });
  return demoExitCode(results);
}

/** 0 when every step that ran with its capability held its check. */
export function demoExitCode(results: readonly StepResult[]): number {
  return results.every((r) => r.ok || !r.available) ? 0 : 1;
}

function pause(secondsBetween: number, tools: DemoTools) {
  let first = true;
  return async () => {
    if (!first) await tools.sleep(secondsBetween * 1000);
    first = false;
  };
}

async function waitForEnter(next: DemoStep): Promise<void> {
  writeErr(`\n[press Enter for: ${next}] `);
  const rl = createInterface({ input: process.stdin });
  await new Promise<void>((resolve) => {
    rl.once("line", () => resolve());
    rl.once("close", () => resolve());
  });
  rl.close();
}

/** Runs commands as child `microseg` processes; knows this build's commands from main.ts. */
async function defaultTools(): Promise<DemoTools> {
  const { program } = await import("../main.js");
  const root = program();
  return {
    cli: (args) => runChild(process.execPath, [CLI_BIN, ...args]),
    has: (path) => hasCommand(root, path),
    say: (text) => write(`${text}\n`),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  };
}

/** Whether `path` (e.g. ["policy", "recommend"]) names a command under `root`. */
export function hasCommand(root: CommandType, path: readonly string[]): boolean {
  let at: CommandType | undefined = root;
  for (const name of path) {
    at = at?.commands.find((c) => c.name() === name || c.aliases().includes(name));
  }
  return at !== undefined;
}

/** Runs a command with a 120 s bound, output captured. */
export function runChild(cmd: string, args: readonly string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    child.on("error", (e) => {
      clearTimeout(timer);
      resolve({ code: 127, out, err: `${err}${e.message}` });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, out, err });
    });
  });
}

function seconds(flags: string, what: string, fallback: number): Option {
  return new Option(flags, what).default(fallback).argParser((v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 3600) {
      throw new InvalidArgumentError(`give whole seconds from 1 to 3600, not "${v}".`);
    }
    return n;
  });
}
