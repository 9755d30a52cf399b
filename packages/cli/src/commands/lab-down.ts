import { labDown } from "@microseg/lab";
import { Command } from "commander";
import { write, writeErr } from "../api/output.js";

export function labDownCommand(): Command {
  return new Command("down")
    .description(
      "Remove everything any lab made — processes, namespaces (and with them their links), " +
        "state — also after a crash. Exits 0 when nothing is up.",
    )
    .addHelpText(
      "after",
      `
Examples:
  $ sudo npx microseg lab down`,
    )
    .action(async () => {
      const report = await labDown();
      if (report.leftovers.length > 0) {
        writeErr(`could not remove: ${report.leftovers.join(", ")}\n`);
        process.exitCode = 3;
        return;
      }
      write(
        report.namespaces.length === 0
          ? "no lab was up; nothing to remove\n"
          : `removed ${report.namespaces.length} namespaces and ${report.processes} processes\n`,
      );
    });
}
