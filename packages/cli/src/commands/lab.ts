// `microseg lab …`: a network-namespace lab that proves enforcement with real connections.
// Each subcommand is a thin layer over @microseg/lab; see docs/design/lab.md.
import { Command } from "commander";
import { labAttackCommand } from "./lab-attack.js";
import { labDownCommand } from "./lab-down.js";
import { labExecCommand } from "./lab-exec.js";
import { labProbeCommand } from "./lab-probe.js";
import { labStatusCommand } from "./lab-status.js";
import { labTrafficCommand } from "./lab-traffic.js";
import { labUpCommand } from "./lab-up.js";

export function labCommand(): Command {
  return new Command("lab")
    .description(
      "A network-namespace lab that proves enforcement with real connections (needs root).",
    )
    .enablePositionalOptions()
    .addCommand(labUpCommand())
    .addCommand(labProbeCommand())
    .addCommand(labExecCommand())
    .addCommand(labStatusCommand())
    .addCommand(labTrafficCommand())
    .addCommand(labAttackCommand())
    .addCommand(labDownCommand())
    .addHelpText(
      "after",
      `
Examples:
  $ sudo npx microseg lab up examples/shop/scenario.yaml
  $ sudo npx microseg lab probe
  $ sudo npx microseg lab exec web-1 -- nft list ruleset
  $ sudo npx microseg lab down`,
    );
}
