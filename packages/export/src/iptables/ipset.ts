// Peer sets as `ipset restore` input: one hash:net set per RuleSet set and family. hash:net
// holds prefixes /1-/32 (/1-/128): a /0 is written as its two halves.

import type { AddressSet } from "@microseg/core";
import { fnv32 } from "../rows.js";

/** ipset names are at most 31 characters. */
export function ipsetName(set: string, family: 4 | 6): string {
  const base = /^[A-Za-z0-9_]{1,22}$/.test(set) ? set : `h${fnv32(set)}`;
  return `mseg-${base}-${family}`;
}

export function ipsetRestore(sets: ReadonlyMap<string, AddressSet>): string {
  const lines: string[] = [];
  for (const [name, set] of sets) {
    for (const family of [4, 6] as const) {
      const n = ipsetName(name, family);
      lines.push(`create ${n} hash:net family ${family === 4 ? "inet" : "inet6"} -exist`);
      lines.push(`flush ${n}`);
      for (const cidr of family === 4 ? set.v4 : set.v6) {
        for (const c of splitZero(cidr)) lines.push(`add ${n} ${c}`);
      }
    }
  }
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

function splitZero(cidr: string): string[] {
  if (cidr === "0.0.0.0/0") return ["0.0.0.0/1", "128.0.0.0/1"];
  if (cidr === "::/0") return ["::/1", "8000::/1"];
  return [cidr];
}
