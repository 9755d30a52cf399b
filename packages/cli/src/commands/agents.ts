// `microseg agents [list|revoke ID|maintenance-token ID]`: every enrolled agent with the revision
// it applied, its mode, last heartbeat, drift and whether it converged on the policy it should
// have; revocation; a maintenance token for a sanctioned stop or unpair on the agent's host.
import type { AgentView } from "@microseg/client";
import { Command } from "commander";
import { connect } from "../api/connect.js";
import { apiCommand, CONNECTION_HELP, type WithConnection } from "../api/options.js";
import { ago, printJson, shown, table, write, writeErr } from "../api/output.js";

type Json = WithConnection<{ json?: boolean }>;

export function agentsCommand(): Command {
  return new Command("agents")
    .description(
      "List enrolled agents and their convergence; revoke one; issue a maintenance token.",
    )
    .addCommand(listCommand(), { isDefault: true })
    .addCommand(revokeCommand())
    .addCommand(maintenanceTokenCommand())
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
  $ npx microseg agents maintenance-token agt_…
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

function maintenanceTokenCommand(): Command {
  return apiCommand(
    "maintenance-token",
    "issue the agent a maintenance token (printed once; the previous one stops working)",
  )
    .argument("<id>", "agent id (see `agents list`)")
    .addHelpText(
      "after",
      `
The agent learns the token's hash with its next heartbeat and from then on checks it on its host,
also while the controller is unreachable. On the host, as root:
  $ microseg-agent maintenance --token TOKEN --minutes 30   # then stop or upgrade the agent
  $ microseg-agent unpair --token TOKEN                     # remove the table and the identity
Without it, stopping the agent, removing its package or unpairing is reported as tampering.
Issuing is audited (agent.maintenance-token); the token itself is never stored.

Examples:
  $ npx microseg agents maintenance-token agt_…
  $ npx microseg agents maintenance-token agt_… --json | jq -r .token`,
    )
    .action(async (id: string, opts: Json) => {
      const t = await (await connect(opts)).maintenanceToken(id);
      if (opts.json === true) return printJson(t);
      write(`${shown(t.token)}\n`);
      writeErr(
        `maintenance token for agent ${shown(t.agentId)} (${shown(t.workload)}); shown once. ` +
          "The agent knows it after its next heartbeat.\n",
      );
    });
}
