import { labUp } from "@microseg/lab";
import { Command } from "commander";
import { printJson, table, write, writeErr } from "../api/output.js";

export function labUpCommand(): Command {
  return new Command("up")
    .description(
      "Build the lab a scenario describes (one network namespace per host on one segment, " +
        "198.18.0.0/15) and bring its policy into force on every managed host.",
    )
    .argument("<scenario>", "scenario YAML file (hosts, labels, listen ports, policy files)")
    .option("--json", "print the hosts as JSON on stdout")
    .option(
      "--direct",
      "no controller and no agents: the lab applies each host's rules itself (also MICROSEG_LAB_DIRECT=1)",
    )
    .addHelpText(
      "after",
      `
By default the lab runs a controller (namespace mseg-<lab>.ctl, 198.18.0.1:8443, reachable
from this machine through a loopback relay) and a real agent (microseg agent) in every managed
host; the scenario's policy is provisioned through the controller's API. Other commands
(microseg agents, workloads, policy …, flows, alerts) find that controller in the lab's state.
Exits 0 once every agent acknowledged its RuleSet (with --direct: once every host's rules are
verified in the kernel). On any failure it removes everything it made and exits non-zero with
the reason. Progress goes to stderr. Needs npm run build (the controller and agent programs).

Examples:
  $ sudo npx microseg lab up examples/shop/scenario.yaml
  $ sudo npx microseg lab up my-lab.yaml --json`,
    )
    .action(async (scenario: string, opts: { json?: boolean; direct?: boolean }) => {
      const result = await labUp(scenario, {
        progress: (line) => writeErr(`${line}\n`),
        ...(opts.direct === true && { direct: true }),
      });
      if (opts.json === true) {
        printJson(result);
        return;
      }
      const rows = result.hosts.map((h) => [
        h.name,
        h.address,
        h.managed ? h.mode : "unmanaged",
        h.rules === undefined ? "-" : String(h.rules),
        h.listen.join(" ") || "-",
      ]);
      write(
        `lab "${result.lab}" is up (${result.hosts.length} hosts, ${(result.ms / 1000).toFixed(1)} s)\n\n`,
      );
      write(table(["host", "address", "mode", "rules", "listens on"], rows));
      if (result.controller !== undefined) {
        const c = result.controller;
        write(
          `\ncontroller: ${c.url} (in the lab: ${c.agentUrl}), policy revision ${c.revision}, CA ${c.caFingerprint}\n`,
        );
      }
      write("\nnext: microseg lab probe · microseg lab exec HOST -- CMD · microseg lab down\n");
    });
}
