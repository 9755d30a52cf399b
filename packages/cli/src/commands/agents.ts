// `microseg agents [list|revoke ID]`: every enrolled agent with the revision it applied, its
// mode, last heartbeat, drift and whether it converged on the policy it should have.
import type { AgentView } from "@microseg/client";
import { Command } from "commander";
import { connect } from "../api/connect.js";
import { apiCommand, CONNECTION_HELP, type WithConnection } from "../api/options.js";
import { ago, printJson, shown, table, write } from "../api/output.js";

type Json = WithConnection<{ json?: boolean }>;

export function agentsCommand(): Command {
  return new Command("agents")
    .description("List enrolled agents and their convergence; revoke one.")
    .addCommand(listCommand(), { isDefault: true })
    .addCommand(revokeCommand())
    .addHelpText(
      "after",
      `
Columns: REVISION the agent last applied, HEARTBEAT age (offline after 3 missed intervals),
DRIFT (in-sync, drifted, repaired: the table was changed by someone else and restored),
CONVERGED (the applied RuleSet is the one the active revision gives it).

Examples:
  $ npx microseg agents
  $ npx microseg agents --json | jq '.agents[] | select(.converged == false)'
  $ npx microseg agents revoke agt_…
${CONNECTION_HELP}`,
    );
}

function listCommand(): Command {
  return apiCommand("list", "list agents (the default)").action(async (opts: Json) => {
    const { agents } = await (await connect(opts)).listAgents();
    if (opts.json === true) return printJson({ agents });
    if (agents.length === 0) return write("no agents enrolled yet\n");
    const now = Date.now();
    write(
      table(
        HEADERS,
        agents.map((a) => row(a, now)),
      ),
    );
    const errors = agents.filter((a) => a.lastError !== null);
    for (const a of errors) write(`${shown(a.id)}: last error: ${shown(a.lastError)}\n`);
  });
}

const HEADERS = [
  "ID",
  "WORKLOAD",
  "HOSTNAME",
  "STATE",
  "MODE",
  "REVISION",
  "HEARTBEAT",
  "DRIFT",
  "CONVERGED",
];

function row(a: AgentView, now: number): string[] {
  return [
    a.id,
    a.workload,
    a.hostname,
    a.revoked ? "revoked" : a.online ? "online" : "offline",
    a.mode ?? "-",
    a.appliedRevision === null ? "-" : String(a.appliedRevision),
    ago(a.lastHeartbeat, now),
    a.drift,
    a.converged ? "yes" : "no",
  ];
}

function revokeCommand(): Command {
  return apiCommand(
    "revoke",
    "revoke an agent: its credential stops working, it gets no more policy",
  )
    .argument("<id>", "agent id (see `agents list`)")
    .action(async (id: string, opts: Json) => {
      const a = await (await connect(opts)).revokeAgent(id);
      if (opts.json === true) printJson(a);
      else write(`agent ${shown(a.id)} (${shown(a.workload)} on ${shown(a.hostname)}) revoked\n`);
    });
}
