// The demo's lab: brought up from examples/demo (or the one already up, when it is the demo's),
// with its background traffic running. Steps talk to its controller through `api` and to its
// hosts through the lab's traffic and probe functions.
import { MicrosegError } from "@microseg/core";
import { type AgentRow, listAgents, waitConverged } from "../control-plane.js";
import { type LabApiTarget, labApi } from "../lab-api.js";
import { requireUp } from "../probe.js";
import { type LabState, readState, stateDir } from "../state.js";
import { labTrafficStart } from "../traffic/control.js";
import { labUp } from "../up.js";
import { apiOf } from "../up-control-plane.js";
import { DEMO_SCENARIO, type DemoOptions, type DemoTools } from "./types.js";

export interface DemoContext {
  readonly tools: DemoTools;
  readonly opts: DemoOptions;
  readonly dir: string;
  readonly state: LabState;
  readonly api: LabApiTarget;
  /** The managed hosts (the ones with an agent and a mode). */
  readonly managed: readonly string[];
}

/** Brings the demo lab up (or reuses it) and starts its background traffic. */
export async function openDemo(tools: DemoTools, opts: DemoOptions): Promise<DemoContext> {
  const dir = opts.dir ?? stateDir();
  const existing = readState(dir);
  if (existing === undefined) {
    tools.say(`Bringing up the demo lab (${DEMO_SCENARIO})…`);
    await labUp(DEMO_SCENARIO, { dir, direct: false, progress: (l) => tools.say(`  ${l}`) });
  } else if (existing.lab !== "demo" || existing.controller === undefined) {
    throw new MicrosegError(
      "MSEG_LAB_ALREADY_UP",
      `lab "${existing.lab}" (${existing.scenario}) is up; the demo needs its own — run microseg lab down first`,
    );
  } else {
    tools.say("The demo lab is already up; using it.");
  }
  const state = requireUp(dir);
  const traffic = await labTrafficStart({ dir });
  tools.say(`Background traffic: ${traffic.flows.length} flows between the lab's hosts.`);
  if (state.controller === undefined) throw new Error("the demo lab has no controller");
  return {
    tools,
    opts,
    dir,
    state,
    api: apiOf(state.controller),
    managed: state.hosts.filter((h) => h.managed).map((h) => h.name),
  };
}

/**
 * Switches every managed workload to `mode` through the admin API (what `microseg workloads
 * mode HOST MODE` does) and waits until every agent applied its new RuleSet.
 */
export async function switchModes(ctx: DemoContext, mode: "learn" | "test" | "enforce") {
  const before = hashes(await listAgents(ctx.api));
  ctx.tools.say(`$ microseg workloads mode HOST ${mode}   (for each of ${ctx.managed.join(", ")})`);
  for (const host of ctx.managed) {
    await labApi(ctx.api, "PATCH", `/api/v1/workloads/${host}`, { mode });
  }
  await waitChanged(ctx, before);
}

/** Waits until the agents of `hosts` apply a RuleSet other than `before` (bounded), then converge. */
export async function waitChanged(
  ctx: DemoContext,
  before: ReadonlyMap<string, string>,
  hosts: readonly string[] = ctx.managed,
): Promise<void> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const now = hashes(await listAgents(ctx.api));
    if (hosts.every((h) => now.get(h) !== before.get(h))) break;
    await ctx.tools.sleep(200);
  }
  await waitConverged(ctx.api, hosts);
}

function hashes(rows: readonly AgentRow[]): Map<string, string> {
  return new Map(rows.filter((a) => !a.revoked).map((a) => [a.workload, a.currentHash ?? ""]));
}

/**
 * True while the active policy is still the one `lab up` provisioned (revision 1: the demo's
 * install-day policy, no rules): enforcing it would block everything.
 */
export async function onInstallDayPolicy(ctx: DemoContext): Promise<boolean> {
  const active = await labApi<{ number: number }>(ctx.api, "GET", "/api/v1/policy/active");
  return active.number <= 1;
}
