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
// their peers moved straight into the host namespaces (`ip -n`).
import {
  BRIDGE_NAME,
  bridgeNamespace,
  bridgePortName,
  CONTROLLER_PORT,
  controllerNamespace,
  HOST_INTERFACE,
  hostNamespace,
  LAB_PREFIX,
} from "./naming.js";
import { CONTROLLER_ADDRESS, LAB_V4_PREFIX_LEN, LAB_V6_PREFIX_LEN } from "./scenario/addresses.js";
import type { Scenario, ScenarioHost } from "./scenario/types.js";
import { ip, ipIn, run } from "./sys/run.js";

/** Every namespace the scenario's lab consists of, bridge first, controller last. */
export function plannedNamespaces(scenario: Scenario, withController = false): string[] {
  return [
    bridgeNamespace(scenario.name),
    ...scenario.hosts.map((h) => hostNamespace(scenario.name, h.name)),
    ...(withController ? [controllerNamespace(scenario.name)] : []),
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
  await attach(lab, ns, bridgePortName(index), host.name);
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

/** The controller's namespace on the segment: CONTROLLER_ADDRESS on its eth0 (IPv4 only). */
export async function createControllerLink(lab: string): Promise<void> {
  const ns = controllerNamespace(lab);
  await attach(lab, ns, CONTROLLER_PORT, "controller");
  await ipIn(
    ns,
    "addr",
    "add",
    `${CONTROLLER_ADDRESS}/${LAB_V4_PREFIX_LEN}`,
    "dev",
    HOST_INTERFACE,
  );
  await ipIn(ns, "link", "set", HOST_INTERFACE, "up");
}

/** A new namespace `ns` whose eth0 is a veth to the bridge (bridge end `port`, alias `alias`). */
async function attach(lab: string, ns: string, port: string, alias: string): Promise<void> {
  const br = bridgeNamespace(lab);
  await ip("netns", "add", ns);
  await ipIn(ns, "link", "set", "lo", "up");
  await ipIn(br, "link", "add", port, "type", "veth", "peer", "name", HOST_INTERFACE, "netns", ns);
  await ipIn(br, "link", "set", port, "alias", alias);
  await ipIn(br, "link", "set", port, "master", BRIDGE_NAME, "up");
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
