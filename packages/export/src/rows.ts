// A RuleSet chain as a flat list of rows, one per (entry, address family, port match): the
// shape firewall text formats (nft scripts, iptables-restore) need. Backend-neutral; each
// renderer formats rows its own way. Mirrors the meaning of a chain (docs/design/nft.md):
// first matching row decides, ICMP rows only in IPv4, ICMPv6 rows only in IPv6.

import type { Chain, Direction, Mode, PortMatch, RuleEntry, RuleSet } from "@microseg/core";

export type Family = 4 | 6;

/** What a matching packet gets: pass (allow), report-and-pass (test mode), report-and-drop. */
export type Treatment = "pass" | "report-pass" | "report-drop";

export interface Row {
  /** Undefined: both families (a peer of `any`). */
  readonly family?: Family;
  /** RuleSet set name of the remote side; undefined: any address. */
  readonly set?: string;
  readonly port: PortMatch;
  readonly treatment: Treatment;
  /** Rule id, or `mseg:default` for the default row. */
  readonly id: string;
  /** `mseg-deny in web-to-db`: the report prefix, as the native nft backend writes it. */
  readonly report?: string;
}

export const DEFAULT_ID = "mseg:default";
const ANY_PORT: PortMatch = { proto: "any" };

export function treatment(allowed: boolean, mode: Mode): Treatment {
  if (allowed || mode === "learn") return "pass";
  return mode === "test" ? "report-pass" : "report-drop";
}

export function chainRows(chain: Chain, direction: Direction, mode: Mode): Row[] {
  const rows = chain.entries.flatMap((e) => entryRows(e, direction, mode));
  const t = treatment(chain.default === "allow", mode);
  rows.push({ port: ANY_PORT, treatment: t, id: DEFAULT_ID, ...report(t, direction, DEFAULT_ID) });
  return rows;
}

function entryRows(entry: RuleEntry, direction: Direction, mode: Mode): Row[] {
  const t = treatment(entry.action === "allow", mode);
  const ports = entry.ports.length > 0 ? entry.ports : [ANY_PORT];
  const base = { treatment: t, id: entry.ruleId, ...report(t, direction, entry.ruleId) };
  const families: (Family | undefined)[] = "set" in entry.peer ? [4, 6] : [undefined];
  const set = "set" in entry.peer ? entry.peer.set : undefined;
  const rows: Row[] = [];
  for (const family of families) {
    for (const port of ports) {
      if (!fits(port, family)) continue;
      rows.push({ ...base, port, ...(family ? { family } : {}), ...(set ? { set } : {}) });
    }
  }
  return rows;
}

export function fits(port: PortMatch, family: Family | undefined): boolean {
  if (port.proto === "icmp") return family !== 6;
  if (port.proto === "icmpv6") return family !== 4;
  return true;
}

function report(t: Treatment, direction: Direction, id: string): { report?: string } {
  if (t === "pass") return {};
  const kind = t === "report-drop" ? "mseg-deny" : "mseg-wb";
  return { report: `${kind} ${direction === "inbound" ? "in" : "out"} ${id}` };
}

/** The set names a RuleSet's chains use, in name order. */
export function usedSets(rs: RuleSet): string[] {
  return Object.keys(rs.sets).sort();
}

/** Cuts a label to `max` bytes of UTF-8 and removes characters a quoted firewall string cannot hold. */
export function label(text: string, max: number): string {
  const clean = text.replace(/["\\\n\r]/g, "'");
  let out = "";
  let bytes = 0;
  for (const ch of clean) {
    const n = new TextEncoder().encode(ch).length;
    if (bytes + n > max) break;
    out += ch;
    bytes += n;
  }
  return out;
}

/** FNV-1a 32-bit, hex: short stable suffixes for names a firewall limits in length. */
export function fnv32(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}
