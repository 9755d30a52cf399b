// What the agent reports about its host at enrolment: hostname, interfaces and their addresses.

import { hostname, networkInterfaces } from "node:os";
import type { HostInterface } from "./wire.js";

export interface HostFacts {
  readonly hostname: string;
  readonly interfaces: HostInterface[];
}

/** Every non-loopback interface with its addresses (IPv6 link-local included, scope dropped). */
export function readHostFacts(): HostFacts {
  const interfaces: HostInterface[] = [];
  for (const [name, infos] of Object.entries(networkInterfaces())) {
    const addresses = (infos ?? []).filter((i) => !i.internal).map((i) => i.address);
    if (addresses.length > 0) interfaces.push({ name, addresses });
  }
  interfaces.sort((a, b) => a.name.localeCompare(b.name));
  return { hostname: hostname(), interfaces };
}
