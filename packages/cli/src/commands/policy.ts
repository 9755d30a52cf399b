import { Command } from "commander";

export function policyCommand(): Command {
  return new Command("policy").description("Check, explain and compile policy files, offline.");
}
