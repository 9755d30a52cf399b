// The management set the agent gives the driver: the controller's own addresses (resolved
// locally, so the agent cannot lock itself out of its controller whatever a policy says) plus the
// management addresses the controller sends. With several controller URLs (replicas, see
// controller-urls.ts) EVERY URL's addresses and port are in: a policy can never cut the agent off
// from a standby replica it may fail over to. The result is normalized enough for nft's interval
// sets: no duplicates and no host that an existing prefix already covers.
//
// What those addresses may do (least privilege, core ManagementAccess): the channel — the TCP
// ports of the agent's own controller URLs, always, plus those the controller sends — and the
// services the controller lists. A controller that sends no `managementAccess` (older than it)
// gets the channel alone; so does the before-first-policy table.

import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import type { AddressSet, ManagementAccess, PortMatch } from "@microseg/core";
import { controllerUrls } from "./controller-urls.js";

export const EMPTY_SET: AddressSet = { v4: [], v6: [] };

/**
 * The agent's channel: TCP to each controller URL's port (443 / 80 when a URL names none), one
 * entry per port. `controller` is the --controller text: one URL or "URL1,URL2,…".
 */
export function controllerChannel(controller: string): PortMatch[] {
  const ports = controllerUrls(controller).map((url) => {
    const u = new URL(url);
    return u.port === "" ? (u.protocol === "http:" ? 80 : 443) : Number(u.port);
  });
  return [...new Set(ports)]
    .sort((a, b) => a - b)
    .map((port): PortMatch => ({ proto: "tcp", ranges: [[port, port]] }));
}

/**
 * What the management addresses may do: the controller's `sent` access (undefined: an older
 * controller) with the agent's own channel always added. A sent `any` in the channel is dropped:
 * the channel is for connecting to the controller, never a way to open every port.
 */
export function accessFor(
  sent: ManagementAccess | undefined,
  own: readonly PortMatch[],
): ManagementAccess {
  const channel = unique([...(sent?.channel ?? []).filter((p) => p.proto !== "any"), ...own]);
  return { channel, services: unique(sent?.services ?? []) };
}

function unique(ports: readonly PortMatch[]): PortMatch[] {
  const byKey = new Map(ports.map((p) => [JSON.stringify(p), p]));
  return [...byKey.keys()].sort().map((k) => byKey.get(k) as PortMatch);
}

/**
 * The addresses of every controller URL's host (an IP literal, or every address DNS returns). A
 * name that does not resolve is told to `unresolved` and left out; the others still count.
 */
export async function controllerAddresses(
  controller: string,
  unresolved: (host: string, error: Error) => void = () => {},
): Promise<string[]> {
  const found = await Promise.all(
    controllerUrls(controller).map(async (url) => {
      const host = hostOf(url);
      if (isIP(host)) return [host];
      try {
        return (await lookup(host, { all: true })).map((a) => a.address);
      } catch (e) {
        unresolved(host, e as Error);
        return [];
      }
    }),
  );
  return [...new Set(found.flat())];
}

/** The IP-literal hosts among the controller URLs (no DNS: the boot-time restore's). */
export function literalAddresses(controller: string): string[] {
  return [...new Set(controllerUrls(controller).map(hostOf))].filter((h) => isIP(h) !== 0);
}

function hostOf(url: string): string {
  return new URL(url).hostname.replace(/^\[|\]$/g, "");
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

export function sameAccess(a: ManagementAccess, b: ManagementAccess): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function sameSet(a: AddressSet, b: AddressSet): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
