import { Command } from "commander";

export function labCommand(): Command {
  return new Command("lab").description(
    "A network-namespace lab that proves enforcement with real connections.",
  );
}
