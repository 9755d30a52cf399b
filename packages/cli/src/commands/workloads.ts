// `microseg workloads [list|get NAME|label NAME k=v… [--remove k]|mode NAME MODE]`: the
// controller's workload inventory (PATCH merges labels; mode replaces).
import type { ControllerClient, WorkloadRecord } from "@microseg/client";
import { MicrosegError } from "@microseg/core";
import type { WorkloadPatch } from "@microseg/protocol";
import { Argument, Command } from "commander";
import { connect } from "../api/connect.js";
import { apiCommand, CONNECTION_HELP, type WithConnection } from "../api/options.js";
import { collect, labelsText, parsePairs, printJson, shown, table, write } from "../api/output.js";
import { workloadsAcceptCommand, workloadsSuggestCommand } from "./workloads-suggest.js";

type Json = WithConnection<{ json?: boolean }>;

export function workloadsCommand(): Command {
  return new Command("workloads")
    .description("List and change the controller's workloads: labels and mode.")
    .addCommand(listCommand(), { isDefault: true })
    .addCommand(getCommand())
    .addCommand(labelCommand())
    .addCommand(modeCommand())
    .addCommand(workloadsSuggestCommand())
    .addCommand(workloadsAcceptCommand())
    .addHelpText(
      "after",
      `
Examples:
  $ npx microseg workloads
  $ npx microseg workloads get web-1 --json
  $ npx microseg workloads label web-1 env=prod tier=front --remove legacy
  $ npx microseg workloads mode db-1 test
${CONNECTION_HELP}`,
    );
}

function listCommand(): Command {
  return apiCommand("list", "list workloads: name, mode, addresses, labels (the default)").action(
    async (opts: Json) => {
      const { workloads } = await (await connect(opts)).listWorkloads();
      if (opts.json === true) return printJson({ workloads });
      if (workloads.length === 0) return write("no workloads yet\n");
      const rows = workloads.map((w) => [
        w.name,
        w.mode,
        w.managed ? "yes" : "no",
        w.addresses.join(",") || "-",
        labelsText(w.labels),
      ]);
      write(table(["NAME", "MODE", "MANAGED", "ADDRESSES", "LABELS"], rows));
    },
  );
}

function getCommand(): Command {
  return apiCommand("get", "show one workload")
    .argument("<name>", "workload name")
    .action(async (name: string, opts: Json) => {
      const w = await (await connect(opts)).getWorkload(name);
      if (opts.json === true) printJson(w);
      else write(describe(w));
    });
}

function labelCommand(): Command {
  return apiCommand("label", "set labels (key=value) and remove others (--remove key)")
    .argument("<name>", "workload name")
    .argument("[labels...]", "key=value pairs to set")
    .option("--remove <key>", "remove this label (repeatable)", collect, [])
    .action(async (name: string, pairs: string[], opts: Json & { remove: string[] }) => {
      const labels: Record<string, string | null> = parsePairs(pairs);
      for (const key of opts.remove) labels[key] = null;
      if (Object.keys(labels).length === 0) {
        throw new MicrosegError("MSEG_USAGE", "give key=value labels to set or --remove KEY");
      }
      await change(await connect(opts), name, { labels }, opts);
    });
}

function modeCommand(): Command {
  return apiCommand("mode", "switch a workload's mode: learn, test or enforce")
    .argument("<name>", "workload name")
    .addArgument(new Argument("<mode>", "the new mode").choices(["learn", "test", "enforce"]))
    .action(async (name: string, mode: "learn" | "test" | "enforce", opts: Json) => {
      await change(await connect(opts), name, { mode }, opts);
    });
}

async function change(
  client: ControllerClient,
  name: string,
  patch: WorkloadPatch,
  opts: Json,
): Promise<void> {
  const out = await client.patchWorkload(name, patch);
  if (opts.json === true) return printJson(out);
  write(`${shown(out.workload.name)}: ${out.change}\n${describe(out.workload)}`);
}

function describe(w: WorkloadRecord): string {
  const lines = [
    ["name", shown(w.name)],
    ["mode", w.mode],
    ["managed", w.managed ? "yes" : "no"],
    ["addresses", shown(w.addresses.join(", ") || "-")],
    ["labels", labelsText(w.labels)],
    ...(w.namespace === undefined ? [] : [["namespace", shown(w.namespace)]]),
    ["updated", shown(w.updatedAt)],
  ];
  return `${lines.map(([k, v]) => `  ${`${k}:`.padEnd(11)}${v}`).join("\n")}\n`;
}
