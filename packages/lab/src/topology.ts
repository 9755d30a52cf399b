// Builds the lab's network: one namespace per host, one bridge namespace, a veth pair per host.
//
//   mseg-<lab>-web-1            mseg-<lab>                 mseg-<lab>-db-1
//   ┌──────────────┐   veth   ┌──────────────────┐  veth  ┌──────────────┐
//   │ lo           │          │   br0 (bridge)   │        │ lo           │
//   │ eth0 ────────┼──────────┼─ h0          h1 ─┼────────┼── eth0       │
//   │ 198.18.0.10/15          └──────────────────┘        │ 198.18.0.11/15
//   │ 2001:2::198:18:0:10/48                              │ …            │
//   └──────────────┘                                      └──────────────┘
//
// Nothing here touches the root namespace: links are created inside the bridge namespace and
// their peers moved straight into the host namespaces (`ip -n`).
import {
  BRIDGE_NAME,
  bridgeNamespace,
  bridgePortName,
  HOST_INTERFACE,
  hostNamespace,
  LAB_PREFIX,
} from "./naming.js";
import { LAB_V4_PREFIX_LEN, LAB_V6_PREFIX_LEN } from "./scenario/addresses.js";
import type { Scenario, ScenarioHost } from "./scenario/types.js";
import { ip, ipIn, run } from "./sys/run.js";

/** Every namespace the scenario's lab consists of, bridge first. */
export function plannedNamespaces(scenario: Scenario): string[] {
  return [
    bridgeNamespace(scenario.name),
    ...scenario.hosts.map((h) => hostNamespace(scenario.name, h.name)),
  ];
}

export async function createSegment(lab: string): Promise<void> {
  const ns = bridgeNamespace(lab);
  await ip("netns", "add", ns);
  await ipIn(ns, "link", "set", "lo", "up");
  await ipIn(
    ns,
    "link",
    "add",
    BRIDGE_NAME,
    "type",
    "bridge",
    "forward_delay",
    "0",
    "stp_state",
    "0",
  );
  await ipIn(ns, "link", "set", BRIDGE_NAME, "up");
}

export async function createHost(lab: string, host: ScenarioHost, index: number): Promise<void> {
  const ns = hostNamespace(lab, host.name);
  const br = bridgeNamespace(lab);
  const port = bridgePortName(index);
  await ip("netns", "add", ns);
  await ipIn(ns, "link", "set", "lo", "up");
  await ipIn(br, "link", "add", port, "type", "veth", "peer", "name", HOST_INTERFACE, "netns", ns);
  await ipIn(br, "link", "set", port, "alias", host.name);
  await ipIn(br, "link", "set", port, "master", BRIDGE_NAME, "up");
  await ipIn(ns, "addr", "add", `${host.address}/${LAB_V4_PREFIX_LEN}`, "dev", HOST_INTERFACE);
  await ipIn(
    ns,
    "addr",
    "add",
    `${host.address6}/${LAB_V6_PREFIX_LEN}`,
    "dev",
    HOST_INTERFACE,
    "nodad",
  );
  await ipIn(ns, "link", "set", HOST_INTERFACE, "up");
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
