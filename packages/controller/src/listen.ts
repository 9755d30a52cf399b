// `--listen HOST:PORT` parsing, the management addresses (the controller's own) and what agents
// let them do: the agent channel (the listen port) and `--management-service` ports.

import { isIP } from "node:net";
import { hostname, type NetworkInterfaceInfo, networkInterfaces } from "node:os";
import {
  type AddressSet,
  type HostPort,
  type ManagementAccess,
  MicrosegError,
  type PortMatch,
  parseHostPort,
  parseServicePort,
} from "@microseg/core";

/** Where the controller listens (--listen). */
export type ListenAddress = HostPort;

/** `127.0.0.1:8443`, `[::1]:8443`, `0.0.0.0:0`, `localhost:8443`. */
export const parseListen = parseHostPort;

export function isUnspecified(host: string): boolean {
  return host === "0.0.0.0" || host === "::" || host === "";
}

/**
 * The controller's own addresses, which every agent allows whatever the policy: the listen
 * address when it is one IP, else every address of the machine's interfaces.
 */
export function managementAddresses(host: string): AddressSet {
  const ips =
    isIP(host) !== 0 && !isUnspecified(host) ? [host] : interfaceAddresses().map((i) => i.address);
  const v4 = [...new Set(ips.filter((a) => isIP(a) === 4).map((a) => `${a}/32`))].sort();
  const v6 = [
    ...new Set(ips.filter((a) => isIP(a) === 6).map((a) => `${a.toLowerCase()}/128`)),
  ].sort();
  return { v4, v6 };
}

/**
 * The access agents give the management addresses: outbound TCP to `listenPort` (0: a port
 * picked at start, not known yet — agents always add their own controller URL's port anyway)
 * and inbound to each `--management-service` (tcp/22, udp/161, tcp/9100-9101, icmp, icmp/8).
 * `any` and named ports are refused: the point is to list what management needs.
 */
export function managementAccess(
  listenPort: number,
  services: readonly string[],
): ManagementAccess {
  const channel: PortMatch[] =
    listenPort === 0 ? [] : [{ proto: "tcp", ranges: [[listenPort, listenPort]] }];
  return { channel, services: services.map(managementService) };
}

function managementService(text: string): PortMatch {
  const parsed = parseServicePort(text);
  const usage = (why: string) =>
    new MicrosegError(
      "MSEG_USAGE",
      `--management-service "${text}": ${why}; write tcp/22, udp/161, tcp/9100-9101, icmp or icmp/8`,
    );
  if (!parsed.ok) throw usage(parsed.message);
  const p = parsed.port;
  if (p.proto === "any") throw usage("`any` would open every port to management; list the ports");
  if (p.proto === "icmp" || p.proto === "icmpv6") {
    return p.type === undefined ? { proto: p.proto } : { proto: p.proto, types: [p.type] };
  }
  if (!("from" in p)) throw usage("a named port means nothing on every workload; give the number");
  return { proto: p.proto, ranges: [[p.from, p.to]] };
}

/** Every address of the machine's interfaces, link-local IPv6 left out. */
function interfaceAddresses(): NetworkInterfaceInfo[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((i): i is NetworkInterfaceInfo => i !== undefined)
    .filter((i) => isIP(i.address) !== 0 && !i.address.toLowerCase().startsWith("fe80:"));
}

/**
 * The names the server certificate carries for `host` (besides --san): the host itself, or, for
 * an unspecified address, the machine's name and every address of its network interfaces (not
 * loopback), so agents and the installer verify the controller by whichever address they use.
 */
export function certificateNames(host: string): string[] {
  if (!isUnspecified(host)) return [host];
  const external = interfaceAddresses().filter((i) => !i.internal);
  return [hostname(), ...new Set(external.map((i) => i.address))];
}
