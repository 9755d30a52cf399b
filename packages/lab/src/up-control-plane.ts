// `lab up`, controller mode: after the network and the host servers exist,
//
//   controller (mseg-<lab>.ctl, data under DIR/controller-data) ── pid recorded at spawn
//     (or N replicas on one PostgreSQL database: replicas.ts; every agent gets all N URLs)
//     ──> PUT every host as a Workload ──> draft = the scenario's policy ──> provision
//     ──> one enrolment profile per managed host
//     ──> `microseg agent` in every managed host (pids recorded at spawn)
//     ──> every agent acknowledged its RuleSet (GET /agents, bounded) ──> done
//
// The policy was already compiled locally (exit 2 with file/line diagnostics before anything
// was created), so an API refusal here is a lab bug, not a user error.
import type { RuleSet } from "@microseg/core";
import {
  CONVERGE_TIMEOUT_MS,
  createProfiles,
  policyText,
  pushPolicy,
  registerWorkloads,
  waitConverged,
} from "./control-plane.js";
import { ruleCount, workloadsOf } from "./enforce.js";
import { agentLogTail, startLabAgent } from "./lab-agents.js";
import type { LabApiTarget } from "./lab-api.js";
import { hostNamespace } from "./naming.js";
import { startReplicas } from "./replicas.js";
import type { Scenario, ScenarioHost } from "./scenario/types.js";
import type { LabState, StateController } from "./state.js";
import { isAlive } from "./sys/procs.js";

export interface ControlPlaneContext {
  readonly scenario: Scenario;
  /** The local compile of the scenario (for progress lines: what each agent will enforce). */
  readonly ruleSets?: ReadonlyMap<string, RuleSet>;
  readonly dir: string;
  readonly say: (line: string) => void;
  /** Applies a change to the lab state and writes it (pids are recorded as spawned). */
  readonly update: (change: (s: LabState) => LabState) => LabState;
  /** Controller processes (default 1; more need `store`, see replicas.ts checkReplicas). */
  readonly replicas?: number;
  /** postgres://… the replicas share; undefined: SQLite in the data dir. */
  readonly store?: string;
  /** nats://… servers of the replicas' flow bus (bus-relay.ts); undefined: none. */
  readonly bus?: readonly string[];
}

export function apiOf(controller: StateController): LabApiTarget {
  return { url: controller.url, token: controller.token, caPem: controller.caPem };
}

export async function bringUpControlPlane(ctx: ControlPlaneContext): Promise<number> {
  const { scenario, say } = ctx;
  const n = ctx.replicas ?? 1;
  say(n === 1 ? "starting the lab controller…" : `starting ${n} controller replicas…`);
  const { first: controller, agentUrls } = await startReplicas(
    {
      ...ctx,
      lab: scenario.name,
      managementServices: scenario.managementServices,
    },
    n,
  );
  const api = apiOf(controller);
  await registerWorkloads(api, workloadsOf(scenario));
  const revision = await pushPolicy(api, policyText(scenario.policy), `lab up ${scenario.file}`);
  const managed = scenario.hosts.filter((h) => h.managed);
  const keys = await createProfiles(api, managed);
  say(`starting ${managed.length} agents (policy revision ${revision})…`);
  const pids = startAgents(ctx, managed, { ...controller, agentUrl: agentUrls.join(",") }, keys);
  await awaitAgents(ctx, api, managed, pids);
  say(`${managed.length} agents enforce revision ${revision}`);
  return revision;
}

function startAgents(
  ctx: ControlPlaneContext,
  managed: readonly ScenarioHost[],
  controller: StateController,
  keys: ReadonlyMap<string, string>,
): Map<string, number> {
  const pids = new Map<string, number>();
  for (const h of managed) {
    const rs = ctx.ruleSets?.get(h.name);
    const rules = rs === undefined ? "" : `, ${ruleCount(rs)} rules`;
    ctx.say(`applying policy to ${h.name} (${h.mode}${rules}) through its agent…`);
    const pid = startLabAgent(
      {
        host: h.name,
        netns: hostNamespace(ctx.scenario.name, h.name),
        agentUrl: controller.agentUrl,
        caFingerprint: controller.caFingerprint,
        enrolKey: keys.get(h.name),
      },
      ctx.dir,
    );
    pids.set(h.name, pid);
    ctx.update((s) => ({ ...s, agents: [...(s.agents ?? []), { host: h.name, pid }] }));
  }
  return pids;
}

/** Every agent acknowledged; fails at once (with its log) when an agent process exits. */
async function awaitAgents(
  ctx: ControlPlaneContext,
  api: LabApiTarget,
  managed: readonly ScenarioHost[],
  pids: ReadonlyMap<string, number>,
): Promise<void> {
  const exited = () => {
    const dead = managed.find((h) => !isAlive(pids.get(h.name) ?? 0));
    if (dead !== undefined) {
      throw new AgentExited(
        `the agent of ${dead.name} exited: ${agentLogTail(dead.name, ctx.dir, 2)}`,
      );
    }
  };
  const hosts = managed.map((h) => h.name);
  const step = Math.max(1, Math.floor(hosts.length / 5));
  let told = 0;
  const progress = (converged: number, of: number) => {
    if (converged - told < step || converged === of) return;
    told = converged;
    ctx.say(`${converged}/${of} agents enforce…`);
  };
  await waitConverged(api, hosts, CONVERGE_TIMEOUT_MS, exited, progress).catch((e: Error) => {
    if (e instanceof AgentExited) throw e;
    const logs = managed.map((h) => `${h.name}: ${agentLogTail(h.name, ctx.dir, 2)}`);
    throw new Error(`${e.message}\n  ${logs.join("\n  ")}`);
  });
}

class AgentExited extends Error {}
