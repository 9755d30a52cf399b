import { MicrosegError } from "@microseg/core";
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
    .option(
      "--replicas <n>",
      "controller processes sharing the --store database; every agent gets all their URLs",
      "1",
    )
    .option(
      "--store <url>",
      "postgres://USER@HOST:PORT/DATABASE for the controllers' state (default: SQLite in the lab's data dir)",
    )
    .option(
      "--bus <urls>",
      "nats://HOST:PORT,… of a NATS JetStream cluster for the replicas' flows (needs --store)",
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

--replicas N --store postgres://… runs N controllers on that database (198.18.0.1:8443,
:8444, … in the lab, each relayed to its own loopback port here); they share the lab's CA and
admin token, every agent is given all N URLs and fails over between them, and commands that
find the lab's controller use every replica. More than one replica needs --store: SQLite is one
process's. lab status --json lists them as "controllers": [{"url", "pid"}, …].

--bus nats://127.0.0.1:4222,nats://127.0.0.1:4223,… (with --store) gives the replicas a NATS
JetStream bus: they publish flow observations to it and one of them detects (the detection
lease). The replicas reach each server through relays at 127.0.0.1:PORT in the controller
namespace, the same port as given, so a local cluster's advertised member addresses work too;
servers on other hosts need distinct ports. lab status --json shows "bus" next to "store".
Examples:
  $ sudo npx microseg lab up examples/shop/scenario.yaml
  $ sudo npx microseg lab up my-lab.yaml --json
  $ sudo npx microseg lab up my-lab.yaml --replicas 3 --store postgres://postgres@127.0.0.1:5432/microseg
  $ sudo npx microseg lab up my-lab.yaml --replicas 2 --store postgres://postgres@127.0.0.1:5432/microseg \
      --bus nats://127.0.0.1:4222,nats://127.0.0.1:4223,nats://127.0.0.1:4224`,
    )
    .action(async (scenario: string, opts: UpFlags) => {
      const result = await labUp(scenario, {
        progress: (line) => writeErr(`${line}\n`),
        ...(opts.direct === true && { direct: true }),
        replicas: replicaCount(opts.replicas),
        ...(opts.store !== undefined && { store: opts.store }),
        ...(opts.bus !== undefined && { bus: opts.bus.split(",").map((u) => u.trim()) }),
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
        for (const r of c.replicas.slice(1)) {
          write(`replica:    ${r.url} (in the lab: ${r.agentUrl}), pid ${r.pid}\n`);
        }
      }
      write("\nnext: microseg lab probe · microseg lab exec HOST -- CMD · microseg lab down\n");
    });
}

interface UpFlags {
  readonly json?: boolean;
  readonly direct?: boolean;
  readonly replicas: string;
  readonly store?: string;
  readonly bus?: string;
}

/** "3" -> 3; anything but digits is a usage error (labUp checks the range). */
function replicaCount(text: string): number {
  if (!/^\d+$/.test(text.trim())) {
    throw new MicrosegError("MSEG_USAGE", `--replicas "${text}": give a whole number, e.g. 3`);
  }
  return Number(text);
}
