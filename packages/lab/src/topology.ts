// Builds the lab's network: one namespace per host, one bridge namespace, a veth pair per host.
//
//   mseg-<lab>-web-1            mseg-<lab>                 mseg-<lab>-db-1
//   ┌──────────────┐   veth   ┌──────────────────┐  veth  ┌──────────────┐
//   │ lo           │          │   br0 (bridge)   │        │ lo           │
//   │ eth0 ────────┼──────────┼─ h0          h1 ─┼────────┼── eth0       │
//   │ 198.18.0.10/15          └──────────────────┘        │ 198.18.0.11/15
//   │ 2001:2::198:18:0:10/48                              │ …            │
//   └──────────────┘                                      └──────────────┘
//   mseg-<lab>.ctl (the controller, unless direct mode): eth0 198.18.0.1/15, bridge end c0
//
// Nothing here touches the root namespace: links are created inside the bridge namespace and
// their peers moved straight into the host namespaces (`ip -n`). Each eth0's MAC is derived from
// its IPv4 address, and every namespace holds every other endpoint as a permanent neighbour, so
// no lab connection waits on ARP or ND (why: network-plan.ts).
import { LAB_PREFIX } from "./naming.js";
import { type NetworkPlan, planNetwork } from "./network-plan.js";
import type { Scenario } from "./scenario/types.js";
import { forEachLimited } from "./sys/limit.js";
import { run, runOk } from "./sys/run.js";

/** Namespaces configured at once in step 4 (each is one short `ip` process). */
const ENDPOINTS_AT_ONCE = 4;

/** Every namespace the scenario's lab consists of, bridge first, controller last. */
export function plannedNamespaces(scenario: Scenario, withController = false): string[] {
  return [...planNetwork(scenario.name, scenario.hosts, withController).namespaces];
}

/**
 * Builds the whole segment (see network-plan.ts): namespaces, bridge, veths, addresses, static
 * FDB and permanent neighbour entries. Every step is one batch; a failing line fails the step.
 */
export async function createNetwork(scenario: Scenario, withController: boolean): Promise<void> {
  const plan = planNetwork(scenario.name, scenario.hosts, withController);
  await batch(
    "ip",
    [],
    plan.namespaces.map((ns) => `netns add ${ns}`),
  );
  await batch("ip", ["-n", plan.bridgeNetns], plan.bridge);
  await batch("bridge", ["-n", plan.bridgeNetns], plan.fdb);
  await configureEndpoints(plan);
}

function configureEndpoints(plan: NetworkPlan): Promise<void> {
  return forEachLimited(plan.endpoints, ENDPOINTS_AT_ONCE, (e) =>
    batch("ip", ["-n", e.netns], e.lines),
  );
}

/** `TOOL [OPTS] -batch -` with `lines` on stdin; throws with the failing line's message. */
async function batch(tool: string, opts: readonly string[], lines: readonly string[]) {
  if (lines.length === 0) return;
  await runOk(tool, [...opts, "-batch", "-"], {
    input: `${lines.join("\n")}\n`,
    timeoutMs: 30_000,
  });
}

/** Namespaces whose name starts with LAB_PREFIX (from any lab, including crashed ones). */
export async function labNamespaces(): Promise<string[]> {
  const r = await run("ip", ["netns", "list"]);
  if (r.code !== 0) return [];
  return r.stdout
    .split("\n")
    .map((line) => line.trim().split(/\s+/)[0] ?? "")
    .filter((name) => name.startsWith(LAB_PREFIX));
}

/** PIDs of processes whose network namespace is `ns`. */
export async function namespacePids(ns: string): Promise<number[]> {
  const r = await run("ip", ["netns", "pids", ns]);
  if (r.code !== 0) return [];
  return r.stdout
    .split(/\s+/)
    .filter((s) => /^\d+$/.test(s))
    .map(Number);
}

/** Deletes a namespace; its veth ends go with it. Missing namespaces are fine. */
export async function deleteNamespace(ns: string): Promise<void> {
  await run("ip", ["netns", "del", ns]);
}
