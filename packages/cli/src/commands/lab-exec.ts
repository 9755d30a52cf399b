import { labExec } from "@microseg/lab";
import { Command } from "commander";

export function labExecCommand(): Command {
  return new Command("exec")
    .description(
      "Run a command inside a lab host (in its network namespace); exits with its exit code.",
    )
    .argument("<host>", "lab host name, e.g. web-1")
    .argument("<command...>", "the command and its arguments (put them after --)")
    .passThroughOptions()
    .addHelpText(
      "after",
      `
Examples:
  $ sudo npx microseg lab exec web-1 -- nft list ruleset
  $ sudo npx microseg lab exec web-1 -- ip -br addr
  $ sudo npx microseg lab exec outside -- ping -c 1 198.18.0.10`,
    )
    .action(async (host: string, command: string[]) => {
      // With positional options (the root program enables them), commander keeps the `--` that
      // separates our options from the command's; it is not part of the command.
      const argv = command[0] === "--" ? command.slice(1) : command;
      process.exitCode = await labExec(host, argv);
    });
}
