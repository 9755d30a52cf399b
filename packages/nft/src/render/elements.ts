// CIDR strings (RuleSet AddressSet form) <-> nft set elements.
// A host prefix (/32, /128) is written as a plain address: that is how nft lists it back.

import type { NftElement } from "./wire.js";

export function toElement(cidr: string): NftElement {
  const slash = cidr.indexOf("/");
  if (slash < 0) return cidr;
  const addr = cidr.slice(0, slash);
  const len = Number(cidr.slice(slash + 1));
  const host = addr.includes(":") ? 128 : 32;
  return len === host ? addr : { prefix: { addr, len } };
}

export function toElements(cidrs: readonly string[]): NftElement[] {
  return cidrs.map(toElement);
}
