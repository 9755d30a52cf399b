// `--listen HOST:PORT` parsing, the management addresses (the controller's own) and what agents
// let them do: the agent channel (the listen port) and `--management-service` ports.

import { isIP } from "node:net";
import { networkInterfaces } from "node:os";
import {
  type AddressSet,
  type ManagementAccess,
  MicrosegError,
  type PortMatch,
  parseServicePort,
} from "@microseg/core";

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** `127.0.0.1:8443`, `[::1]:8443`, `0.0.0.0:0`, `localhost:8443`. */
export function parseListen(text: string): ListenAddress | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  if (host === undefined || !Number.isInteger(port) || port > 65535) return undefined;
  return { host, port };
}

export function isUnspecified(host: string): boolean {
  return host === "0.0.0.0" || host === "::" || host === "";
}

/**
 * The controller's own addresses, which every agent allows whatever the policy: the listen
 * address when it is one IP, else every address of the machine's interfaces.
 */
export function managementAddresses(host: string): AddressSet {
  const ips =
    isIP(host) !== 0 && !isUnspecified(host)
      ? [host]
      : Object.values(networkInterfaces())
          .flat()
          .map((i) => i?.address ?? "")
          .filter((a) => isIP(a) !== 0 && !a.toLowerCase().startsWith("fe80:"));
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
