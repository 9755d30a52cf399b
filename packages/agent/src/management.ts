// The management set the agent gives the driver: the controller's own addresses (resolved
// locally, so the agent cannot lock itself out of its controller whatever a policy says) plus the
// management addresses the controller sends. The result is normalized enough for nft's interval
// sets: no duplicates and no host that an existing prefix already covers.

import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import type { AddressSet } from "@microseg/core";

export const EMPTY_SET: AddressSet = { v4: [], v6: [] };

/** The addresses of the controller URL's host (an IP literal, or every address DNS returns). */
export async function controllerAddresses(url: string): Promise<string[]> {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  if (isIP(host)) return [host];
  const found = await lookup(host, { all: true });
  return [...new Set(found.map((a) => a.address))];
}

/** `base` plus each host address not already covered by a prefix of `base`. */
export function withHosts(base: AddressSet, hosts: readonly string[]): AddressSet {
  const covered = new BlockList();
  for (const cidr of [...base.v4, ...base.v6]) {
    const [addr = "", len] = cidr.split("/");
    const family = isIP(addr) === 6 ? "ipv6" : "ipv4";
    const bits = len === undefined ? (family === "ipv6" ? 128 : 32) : Number(len);
    covered.addSubnet(addr, bits, family);
  }
  const v4 = [...base.v4];
  const v6 = [...base.v6];
  for (const host of new Set(hosts)) {
    const kind = isIP(host);
    if (kind === 0) continue;
    if (covered.check(host, kind === 6 ? "ipv6" : "ipv4")) continue;
    if (kind === 6) v6.push(`${host}/128`);
    else v4.push(`${host}/32`);
  }
  return { v4: v4.sort(), v6: v6.sort() };
}

export function sameSet(a: AddressSet, b: AddressSet): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
