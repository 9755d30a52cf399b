// What `lab up` tells the kernel to build (pure): `ip -batch` and `bridge -batch` lines, so a
// lab of N hosts costs a handful of processes instead of ~8 per host.
//
//   1. ip -batch                   netns add <bridge ns>, <host ns>…, <controller ns>
//   2. ip -n <bridge ns> -batch    br0; per endpoint a veth whose far end (eth0, with a MAC
//                                  derived from its IPv4 address) goes straight into its namespace
//   3. bridge -n <bridge ns> -batch  a static FDB entry per endpoint (MAC -> its bridge port)
//   4. ip -n <ns> -batch, per ns   lo, addresses, eth0 up, then a PERMANENT neighbour entry for
//                                  every other endpoint's address (IPv4, and IPv6 between hosts)
//
// Why 3 and 4: the lab knows every address, MAC and port in advance, and the kernel's neighbour
// table is shared by every namespace on the machine: at most gc_thresh3 (default 1,024) entries
// it created itself. A 40-host lab needs 1,560 IPv4 entries for its pairs, so the first
// connections of a probe burst found no room, their SYNs and datagrams were dropped, and a
// learn-mode lab probed "blocked". Entries made by hand as permanent are exempt from that limit
// and from garbage collection (Linux >= 4.19), so no lab connection waits on ARP or ND, and none
// depends on what other labs on the machine resolve. Static FDB entries keep the bridge from
// flooding a frame to every port before it has learned (and after an entry ages out).
import {
  BRIDGE_NAME,
  bridgeNamespace,
  bridgePortName,
  CONTROLLER_PORT,
  controllerNamespace,
  HOST_INTERFACE,
  hostNamespace,
} from "./naming.js";
import { CONTROLLER_ADDRESS, LAB_V4_PREFIX_LEN, LAB_V6_PREFIX_LEN } from "./scenario/addresses.js";

/** One end of the lab segment: a host, or the controller (IPv4 only). */
export interface Endpoint {
  /** The namespace that holds its eth0. */
  readonly netns: string;
  /** The bridge-side end of its veth (`h<i>`, `c0`). */
  readonly port: string;
  /** Kept as the bridge port's alias, so `ip -n <bridge ns> link` reads as the lab. */
  readonly alias: string;
  readonly address: string;
  readonly address6?: string;
  readonly mac: string;
}

export interface NetworkPlan {
  /** Every namespace, bridge first: `ip -batch` lines (`netns add …`). */
  readonly namespaces: readonly string[];
  readonly bridgeNetns: string;
  /** `ip -n <bridge ns> -batch` lines. */
  readonly bridge: readonly string[];
  /** `bridge -n <bridge ns> -batch` lines. */
  readonly fdb: readonly string[];
  /** Per endpoint namespace: `ip -n <ns> -batch` lines. */
  readonly endpoints: readonly { readonly netns: string; readonly lines: readonly string[] }[];
}

export interface PlannedHost {
  readonly name: string;
  readonly address: string;
  readonly address6: string;
}

/**
 * The MAC of an endpoint's eth0: locally administered unicast (02:00) followed by its IPv4
 * address, so 198.18.1.10 is 02:00:c6:12:01:0a. Unique on the segment because addresses are.
 */
export function macFor(v4: string): string {
  const hex = v4.split(".").map((o) => Number(o).toString(16).padStart(2, "0"));
  return ["02", "00", ...hex].join(":");
}

export function endpointsOf(
  lab: string,
  hosts: readonly PlannedHost[],
  withController: boolean,
): Endpoint[] {
  const ends: Endpoint[] = hosts.map((h, i) => ({
    netns: hostNamespace(lab, h.name),
    port: bridgePortName(i),
    alias: h.name,
    address: h.address,
    address6: h.address6,
    mac: macFor(h.address),
  }));
  if (withController) {
    ends.push({
      netns: controllerNamespace(lab),
      port: CONTROLLER_PORT,
      alias: "controller",
      address: CONTROLLER_ADDRESS,
      mac: macFor(CONTROLLER_ADDRESS),
    });
  }
  return ends;
}

export function planNetwork(
  lab: string,
  hosts: readonly PlannedHost[],
  withController: boolean,
): NetworkPlan {
  const bridgeNetns = bridgeNamespace(lab);
  const ends = endpointsOf(lab, hosts, withController);
  return {
    namespaces: [bridgeNetns, ...ends.map((e) => e.netns)],
    bridgeNetns,
    bridge: [
      "link set lo up",
      `link add ${BRIDGE_NAME} type bridge forward_delay 0 stp_state 0`,
      `link set ${BRIDGE_NAME} up`,
      ...ends.flatMap((e) => [
        `link add ${e.port} type veth peer name ${HOST_INTERFACE} address ${e.mac} netns ${e.netns}`,
        `link set ${e.port} alias ${e.alias}`,
        `link set ${e.port} master ${BRIDGE_NAME} up`,
      ]),
    ],
    fdb: ends.map((e) => `fdb add ${e.mac} dev ${e.port} master static`),
    endpoints: ends.map((e) => ({ netns: e.netns, lines: endpointLines(e, ends) })),
  };
}

/** Inside one endpoint's namespace: its addresses, then every other endpoint as a neighbour. */
function endpointLines(self: Endpoint, ends: readonly Endpoint[]): string[] {
  const dev = `dev ${HOST_INTERFACE}`;
  const lines = [
    "link set lo up",
    `addr add ${self.address}/${LAB_V4_PREFIX_LEN} ${dev}`,
    ...(self.address6 === undefined
      ? []
      : [`addr add ${self.address6}/${LAB_V6_PREFIX_LEN} ${dev} nodad`]),
    `link set ${HOST_INTERFACE} up`,
  ];
  for (const other of ends) {
    if (other === self) continue;
    lines.push(`neigh replace ${other.address} lladdr ${other.mac} ${dev} nud permanent`);
    if (self.address6 !== undefined && other.address6 !== undefined) {
      lines.push(`neigh replace ${other.address6} lladdr ${other.mac} ${dev} nud permanent`);
    }
  }
  return lines;
}
