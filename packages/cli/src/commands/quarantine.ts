// `microseg quarantine W` and `microseg release W`: a quarantined workload talks only to the
// controller (management) and its forensic addresses, both ways, enforced on the workload itself
// whatever its mode and by every peer's policy.

import type { Command } from "commander";
import { connect } from "../api/connect.js";
import { apiCommand, CONNECTION_HELP, type WithConnection } from "../api/options.js";
import { collect, printJson, shown, write } from "../api/output.js";

type QuarantineFlags = WithConnection<{ json?: boolean; reason?: string; forensic: string[] }>;

export function quarantineCommand(): Command {
  return apiCommand(
    "quarantine",
    "Quarantine a workload: cut it off from everything but management.",
  )
    .argument("<workload>", "the workload's name")
    .option("--reason <text>", "why (kept with the quarantine and in the audit log)")
    .option(
      "--forensic <address>",
      "an address still allowed both ways, e.g. a forensic host (repeatable)",
      collect,
      [],
    )
    .addHelpText(
      "after",
      `
The workload's agent enforces deny-all at once (whatever its mode: learn and test included),
except the controller and the --forensic addresses; no peer's rule matches it any more. Its
agent is woken at once, and so are the peers whose rules named it. Release with
microseg release WORKLOAD.

Examples:
  $ npx microseg quarantine web-1 --reason "decoy touched"
  $ npx microseg quarantine web-1 --forensic 198.18.9.9
${CONNECTION_HELP}`,
    )
    .action(async (name: string, opts: QuarantineFlags) => {
      const out = await (await connect(opts)).quarantine(name, {
        ...(opts.reason !== undefined && { reason: opts.reason }),
        forensic: opts.forensic,
      });
      if (opts.json === true) return printJson(out);
      const forensic = out.quarantine.forensic;
      write(
        `quarantined ${shown(out.workload)}${forensic.length > 0 ? ` (forensic: ${shown(forensic.join(", "))})` : ""}\n`,
      );
    });
}

export function releaseCommand(): Command {
  return apiCommand("release", "Release a workload from quarantine; its policy applies again.")
    .argument("<workload>", "the workload's name")
    .addHelpText("after", `\nExample:\n  $ npx microseg release web-1\n${CONNECTION_HELP}`)
    .action(async (name: string, opts: WithConnection<{ json?: boolean }>) => {
      const out = await (await connect(opts)).release(name);
      if (opts.json === true) return printJson(out);
      write(
        out.released === null
          ? `${shown(out.workload)} was not quarantined\n`
          : `released ${shown(out.workload)} from quarantine\n`,
      );
    });
}
