// `microseg enrol-profiles [create|list|revoke ID]`: the keys new hosts enrol with, and the
// labels and mode their workload gets, or the one workload a key enrols (--workload: how a
// workload moves to a new host). `create` prints the key once, with the agent command line.
import type { ControllerClient, Profile } from "@microseg/client";
import { MicrosegError } from "@microseg/core";
import { installCommand } from "@microseg/protocol";
import { Command, Option } from "commander";
import { connect, connectTarget } from "../api/connect.js";
import { apiCommand, CONNECTION_HELP, type WithConnection } from "../api/options.js";
import { collect, labelsText, parsePairs, printJson, shown, table, write } from "../api/output.js";
import { controllerUrls } from "../api/target.js";

type Json = WithConnection<{ json?: boolean }>;
interface CreateFlags extends Json {
  name: string;
  label: string[];
  mode: "learn" | "test" | "enforce";
  expires?: string;
  maxUses?: string;
  workload?: string;
}

export function enrolProfilesCommand(): Command {
  return new Command("enrol-profiles")
    .description("Create, list and revoke enrolment profiles (keys new hosts join with).")
    .addCommand(listCommand(), { isDefault: true })
    .addCommand(createCommand())
    .addCommand(revokeCommand())
    .addHelpText(
      "after",
      `
A key without --workload only creates new workloads (named by the agent's --workload, else its
hostname), with the profile's labels and mode. A key with --workload W enrols W and nothing else:
W may already exist (an admin created it, or its old agent was revoked), and keeps its labels
and mode. A workload whose agent is not revoked is never taken over.

Examples:
  $ npx microseg enrol-profiles create --name web --label role=web --label env=prod \\
      --mode test --expires 24h --max-uses 10
  $ npx microseg enrol-profiles
  $ npx microseg enrol-profiles revoke prof_…

Move workload db-1 to a rebuilt host:
  $ npx microseg agents revoke agent-…
  $ npx microseg enrol-profiles create --name db-1-move --workload db-1 --max-uses 1 --expires 1h
${CONNECTION_HELP}`,
    );
}

function createCommand(): Command {
  return apiCommand("create", "create a profile; prints its key once and the agent command to run")
    .requiredOption("--name <name>", "profile name ([a-z0-9][a-z0-9._-]*)")
    .option("--label <key=value>", "label the enrolled workload gets (repeatable)", collect, [])
    .addOption(
      new Option("--mode <mode>", "mode of the enrolled workload")
        .choices(["learn", "test", "enforce"])
        .default("enforce"),
    )
    .option("--expires <when>", "expiry: a duration (30m, 24h, 7d) or an ISO-8601 time")
    .option("--max-uses <n>", "how many agents may enrol with the key")
    .option(
      "--workload <name>",
      "bind the key to this workload: the agent becomes it, also when it exists (labels kept)",
    )
    .action(async (opts: CreateFlags) => {
      const { client, target } = await connectTarget(opts);
      const created = await client.createProfile({
        name: opts.name,
        labels: parsePairs(opts.label),
        mode: opts.mode,
        expiresAt: opts.expires === undefined ? null : expiresAt(opts.expires),
        maxUses: opts.maxUses === undefined ? null : positive(opts.maxUses, "--max-uses"),
        workload: opts.workload ?? null,
      });
      if (opts.json === true) return printJson(created);
      write(await createdText(client, target.agentUrl, created.profile, created.key));
    });
}

async function createdText(
  client: ControllerClient,
  agentUrl: string,
  p: Profile,
  key: string,
): Promise<string> {
  const { caFingerprint } = await client.status();
  const enrols = p.workload === null ? "new workloads" : `workload ${shown(p.workload)}`;
  const expires = shown(p.expiresAt ?? "never");
  // The installer is fetched from one URL: with several (replicas), the one that answered; the
  // enrol line names them all.
  const urls = controllerUrls(agentUrl);
  const several = urls.length > 1;
  const enrolUrl = several ? urls.join(",") : agentUrl;
  const install = installCommand({
    controller: several ? client.url : agentUrl,
    caFingerprint,
    enrolKey: key,
  });
  const onlyOne = several ? "; only the controller that answered, the enrol line names all" : "";
  return (
    `profile ${shown(p.id)} (${shown(p.name)}): enrols ${enrols}, labels ${labelsText(p.labels)}, ` +
    `mode ${p.mode}, expires ${expires}, max uses ${p.maxUses ?? "unlimited"}\n\n` +
    `enrolment key (shown once, keep it secret):\n  ${key}\n\n` +
    `on the new host, as root (installs the agent package, enrols, starts the service${onlyOne}):\n` +
    `  ${install}\n\n` +
    "or, where the agent is installed already:\n" +
    `  microseg-agent enrol --controller ${enrolUrl}${pinFlag(caFingerprint)} --enrol-key ${key}\n`
  );
}

function pinFlag(caFingerprint: string | null): string {
  return caFingerprint === null ? "" : ` --ca-fingerprint ${caFingerprint}`;
}

function listCommand(): Command {
  return apiCommand("list", "list profiles (the default)").action(async (opts: Json) => {
    const { profiles } = await (await connect(opts)).listProfiles();
    if (opts.json === true) return printJson({ profiles });
    if (profiles.length === 0) return write("no enrolment profiles yet\n");
    const rows = profiles.map((p) => [
      p.id,
      p.name,
      p.workload ?? "(new)",
      p.mode,
      labelsText(p.labels),
      `${p.uses}/${p.maxUses ?? "∞"}`,
      p.expiresAt ?? "never",
      p.revoked ? "revoked" : "active",
    ]);
    write(table(["ID", "NAME", "WORKLOAD", "MODE", "LABELS", "USES", "EXPIRES", "STATE"], rows));
  });
}

function revokeCommand(): Command {
  return apiCommand(
    "revoke",
    "revoke a profile: its key enrols no more agents (enrolled ones stay)",
  )
    .argument("<id>", "profile id (see `enrol-profiles list`)")
    .action(async (id: string, opts: Json) => {
      const p = await (await connect(opts)).revokeProfile(id);
      if (opts.json === true) printJson(p);
      else write(`profile ${shown(p.id)} (${shown(p.name)}) revoked\n`);
    });
}

/** `30m`, `24h`, `7d`, `2w` from now, or an ISO-8601 time; returned as ISO-8601 UTC. */
export function expiresAt(text: string, now = Date.now()): string {
  const m = /^(\d+)([mhdw])$/.exec(text.trim());
  if (m !== null) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[m[2] as "m"];
    return new Date(now + Number(m[1]) * unit).toISOString();
  }
  const t = Date.parse(text);
  if (Number.isNaN(t)) {
    throw new MicrosegError(
      "MSEG_USAGE",
      `--expires "${text}" is neither a duration (30m, 24h, 7d, 2w) nor an ISO-8601 time`,
    );
  }
  return new Date(t).toISOString();
}

function positive(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    throw new MicrosegError("MSEG_USAGE", `${what} "${text}" is not a positive whole number`);
  }
  return n;
}
