// `microseg-agent enrol` and `microseg-agent restore`: the two one-off steps around the service
// that the package's installer and boot unit run (see docs/install.md).
import { MicrosegError } from "@microseg/core/errors";
import { Command, Option } from "commander";
import { pino } from "pino";
import { DEFAULT_STATE_DIR } from "./defaults.js";

export function enrolCommand(): Command {
  return new Command("enrol")
    .description(
      "Enrol this host once: pin the controller's CA by its fingerprint, enrol with the key and " +
        "store the identity. The table is not touched; start the service afterwards.",
    )
    .addOption(controllerOption(true))
    .addOption(fingerprintOption())
    .addOption(
      new Option("--enrol-key <key>", "enrolment profile key")
        .env("MICROSEG_ENROL_KEY")
        .makeOptionMandatory(),
    )
    .option("--state-dir <dir>", "where the identity and pinned CA are stored", DEFAULT_STATE_DIR)
    .option("--workload <name>", "workload name to ask for (default: the profile's, else hostname)")
    .option(
      "--skip-interface <name>",
      "leave this interface's addresses out (repeatable)",
      collect,
      [],
    )
    .addHelpText(
      "after",
      `
Exit 0 when enrolled (or already enrolled: nothing changes); 3 with the reason when the controller
refuses the key, cannot be reached, or its CA does not match the fingerprint; 2 on bad usage.

Examples:
  $ microseg-agent enrol --controller https://198.18.0.1:8443 --ca-fingerprint AB:CD:… --enrol-key KEY
  $ microseg-agent enrol --controller https://198.18.0.1:8443,https://198.18.0.5:8443 \\
      --ca-fingerprint AB:CD:… --enrol-key KEY     # replicas: tried in turn, all stored`,
    )
    .action(async (f: EnrolFlags) => {
      const { enrolHost } = await import("../enrol.js");
      const log = pino({ name: "microseg-agent", level: "warn" });
      const { identity, fresh } = await enrolHost(
        { ...f, skipInterfaces: f.skipInterface },
        log,
      ).catch((e: unknown) => {
        if (e instanceof MicrosegError) throw e;
        throw new MicrosegError(
          "MSEG_CONTROLLER_UNREACHABLE",
          `cannot reach the controller at ${f.controller}: ${(e as Error).message}`,
        );
      });
      process.stdout.write(
        `${fresh ? "enrolled" : "already enrolled"}: workload ${identity.workload}, agent ` +
          `${identity.agentId}, controller ${identity.controller} (state in ${f.stateDir})\n`,
      );
    });
}

export function restoreCommand(): Command {
  return new Command("restore")
    .description(
      "Enforce the last good policy now, without the controller (the boot unit runs this before " +
        "the network comes up). A host never enrolled is left as it is.",
    )
    .option("--state-dir <dir>", "the agent's state directory", DEFAULT_STATE_DIR)
    .option("--host-namespace", "allow enforcing in the machine's root network namespace")
    .addOption(
      new Option("--default-before-policy <verdict>", "enforced when no policy is stored yet")
        .choices(["deny", "allow"])
        .default("deny"),
    )
    .action(async (f: RestoreFlags) => {
      const { restoreEnforcement } = await import("../restore.js");
      const log = pino({ name: "microseg-agent", level: "warn" });
      const outcome = await restoreEnforcement(
        {
          stateDir: f.stateDir,
          hostNamespace: f.hostNamespace === true,
          beforePolicy: f.defaultBeforePolicy,
        },
        log,
      );
      const said =
        outcome.enforced === "stored"
          ? `last good policy (revision ${outcome.revision ?? "none"}) in force`
          : outcome.enforced === "before-policy"
            ? "no policy stored yet: the before-first-policy table is in force"
            : `nothing enforced: ${outcome.why}`;
      process.stdout.write(`${said}\n`);
    });
}

/** --controller; `required` false: the state directory's enrolment supplies it when absent. */
export function controllerOption(required = true): Option {
  const what =
    "controller URL (https://HOST:PORT; http:// for tests), or a controller's replicas as " +
    "URL1,URL2,… (one CA; the agent fails over between them)";
  const option = new Option(
    "--controller <url>",
    required ? what : `${what}; default: what this host enrolled with`,
  ).env("MICROSEG_CONTROLLER");
  return option.makeOptionMandatory(required);
}

export function fingerprintOption(): Option {
  return new Option(
    "--ca-fingerprint <sha256>",
    "SHA-256 fingerprint of the controller CA (https)",
  ).env("MICROSEG_CA_FINGERPRINT");
}

/** commander collector for repeatable options. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

interface EnrolFlags {
  controller: string;
  caFingerprint?: string;
  enrolKey: string;
  stateDir: string;
  workload?: string;
  skipInterface: string[];
}

interface RestoreFlags {
  stateDir: string;
  hostNamespace?: boolean;
  defaultBeforePolicy: "deny" | "allow";
}
