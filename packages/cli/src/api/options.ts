// The options every command that talks to a controller takes (CONTRACT.md).
import { Command, Option } from "commander";
import type { ConnectionFlags } from "./target.js";

export function withConnection(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        "--controller <url>",
        "controller URL, or a controller's replicas as URL1,URL2,… (default: the lab's controller)",
      ).env("MICROSEG_CONTROLLER"),
    )
    .addOption(new Option("--token <token>", "API token").env("MICROSEG_TOKEN"))
    .addOption(
      new Option(
        "--ca-fingerprint <sha256>",
        "pin the controller's CA by its SHA-256 fingerprint",
      ).env("MICROSEG_CA_FINGERPRINT"),
    )
    .addOption(new Option("--ca <file>", "trust this CA certificate (PEM)"));
}

/** A subcommand that talks to a controller: connection options plus --json. */
export function apiCommand(name: string, description: string): Command {
  return withConnection(new Command(name).description(description)).option(
    "--json",
    "print the API's JSON on stdout",
  );
}

export const CONNECTION_HELP = `
Connection: --controller/--token or MICROSEG_CONTROLLER/MICROSEG_TOKEN; without them, the
controller of the lab that is up. --controller URL1,URL2 names a controller's replicas: each
request goes to the first that answers; one that does not answer, or answers 5xx, is left for
the next for the rest of the command. https is trusted by --ca-fingerprint, --ca, the fingerprint
remembered in ~/.config/microseg/known-controllers.json (a changed CA is refused), or, on a
terminal, by answering y when the unknown fingerprint is shown. Without a terminal an unknown CA
is refused before the token is sent: pass --ca-fingerprint FP (or MICROSEG_CA_FINGERPRINT).`;

export type WithConnection<T> = T & ConnectionFlags;
