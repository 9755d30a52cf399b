// Gauges of the estate, computed when /metrics is scraped (never on a timer): agents by state
// and convergence from one store listing per scrape (what GET /api/v1/agents costs; prom-client
// starts every gauge's collect in the same turn, so the two share the listing in flight), and
// the hub's active revision and held long-polls from memory. A store that fails leaves the agent gauges out of that scrape: /metrics
// still answers, and /readyz says what is wrong.
import type { AgentRecord } from "@microseg/store";
import { Gauge } from "prom-client";
import type { ControllerContext } from "./context.js";
import { isConverged, isOnline } from "./use-cases/agents.js";

export type AgentState = "online" | "offline" | "revoked";
const STATES: readonly AgentState[] = ["online", "offline", "revoked"];

export function registerEstateGauges(ctx: ControllerContext): void {
  const registers = [ctx.metrics.registry];
  let inFlight: Promise<AgentRecord[]> | undefined;
  const listAgents = () => {
    inFlight ??= ctx.store.agents.list().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
  new Gauge({
    name: "microseg_agents",
    help: "Enrolled agents by state: online (reported within 3 heartbeats), offline, revoked.",
    labelNames: ["state"],
    registers,
    async collect() {
      this.reset();
      const counts = await listAgents()
        .then((agents) => agentStates(ctx, agents))
        .catch((err: unknown) => {
          ctx.log.warn({ err }, "metrics: agents could not be listed");
          return undefined;
        });
      if (counts === undefined) return;
      for (const state of STATES) this.set({ state }, counts[state]);
    },
  });
  new Gauge({
    name: "microseg_lease_held",
    help: "1 when this controller runs the singleton job under the lease (flow retention, audit anchors, gap checks), 0 when another replica does.",
    labelNames: ["lease"],
    registers,
    collect() {
      this.reset();
      for (const { name, held } of ctx.leases.states()) this.set({ lease: name }, held ? 1 : 0);
    },
  });
  new Gauge({
    name: "microseg_agents_converged",
    help: "Live (not revoked) agents whose applied RuleSet is the one the active revision gives them.",
    registers,
    async collect() {
      this.reset();
      const agents = await listAgents().catch(() => undefined);
      if (agents === undefined) return;
      const live = agents.filter((a) => !a.revoked);
      this.set(live.filter((a) => isConverged(ctx, a)).length);
    },
  });
  new Gauge({
    name: "microseg_policy_active_revision",
    help: "The number of the active policy revision (0: nothing provisioned yet).",
    registers,
    collect() {
      this.set(ctx.hub.activeRevision ?? 0);
    },
  });
  new Gauge({
    name: "microseg_agent_long_polls",
    help: "Agent long-polls held open now, waiting for a policy change.",
    registers,
    collect() {
      this.set(ctx.hub.waiting());
    },
  });
}

/** Agents by state, as GET /api/v1/agents judges `online` (use-cases/agents.ts). */
export function agentStates(
  ctx: ControllerContext,
  agents: readonly AgentRecord[],
): Record<AgentState, number> {
  const counts: Record<AgentState, number> = { online: 0, offline: 0, revoked: 0 };
  for (const a of agents) {
    if (a.revoked) counts.revoked++;
    else if (isOnline(ctx, a)) counts.online++;
    else counts.offline++;
  }
  return counts;
}
