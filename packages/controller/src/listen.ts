// `--listen HOST:PORT` parsing and the addresses agents must always allow.

import { isIP } from "node:net";
import { networkInterfaces } from "node:os";
import type { AddressSet } from "@microseg/core";

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
