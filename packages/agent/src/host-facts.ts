// What the agent reports about its host at enrolment: hostname, interfaces and their addresses.
// Interfaces named by --skip-interface are left out: an address many hosts carry (a container
// bridge's gateway such as Docker's docker0 172.17.0.1) says nothing about which host this is,
// and the controller refuses an address another workload already holds.

import { hostname, networkInterfaces } from "node:os";
import type { HostInterface } from "./wire.js";

export interface HostFacts {
  readonly hostname: string;
  readonly interfaces: HostInterface[];
}

/** Every non-loopback interface with its addresses (IPv6 link-local included, scope dropped). */
export function readHostFacts(skip: readonly string[] = []): HostFacts {
  const interfaces: HostInterface[] = [];
  for (const [name, infos] of Object.entries(networkInterfaces())) {
    const addresses = (infos ?? []).filter((i) => !i.internal).map((i) => i.address);
    if (addresses.length > 0) interfaces.push({ name, addresses });
  }
  interfaces.sort((a, b) => a.name.localeCompare(b.name));
  return { hostname: hostname(), interfaces: withoutSkipped(interfaces, skip) };
}

/** `interfaces` but those a pattern names: an exact name, or a prefix ending in `*` (`br-*`). */
export function withoutSkipped(
  interfaces: readonly HostInterface[],
  skip: readonly string[],
): HostInterface[] {
  const skipped = (name: string) =>
    skip.some((p) => (p.endsWith("*") ? name.startsWith(p.slice(0, -1)) : name === p));
  return interfaces.filter((i) => !skipped(i.name));
}
