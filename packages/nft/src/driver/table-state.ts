// What the kernel holds, read back with `nft -j list table inet <name>` and normalized so that
// two readings of the same table compare equal: handles dropped, counter values zeroed, set
// elements canonicalized (`198.18.0.1`, `198.18.1.0/24`, `2001:2::/48`) and kept apart from the
// structure (chains, set declarations, rules in order).

import { stableJson } from "../render/index.js";

export interface TableState {
  /** chain name -> declaration (type, hook, prio, policy) as stable JSON. */
  readonly chains: ReadonlyMap<string, string>;
  /** set name -> declaration (type, flags) as stable JSON. */
  readonly sets: ReadonlyMap<string, string>;
  /** chain name -> rules in kernel order, each `{comment, expr}` as stable JSON. */
  readonly rules: ReadonlyMap<string, readonly string[]>;
  /** set name -> canonical elements; all empty when read with `-t` (terse). */
  readonly elements: ReadonlyMap<string, ReadonlySet<string>>;
}

type Json = Record<string, unknown>;

/**
 * Parses `nft -j list table` output, or `nft -j list ruleset` output filtered to one inet table
 * (`only`). undefined when `only` is given and the listing has no such table.
 */
export function parseTableListing(stdout: string): TableState;
export function parseTableListing(stdout: string, only?: string): TableState | undefined;
export function parseTableListing(stdout: string, only?: string): TableState | undefined {
  const all = (JSON.parse(stdout) as { nftables?: Json[] }).nftables ?? [];
  const items = only === undefined ? all : all.filter((item) => inTable(item, only));
  if (only !== undefined && !items.some((item) => item.table)) return undefined;
  const chains = new Map<string, string>();
  const sets = new Map<string, string>();
  const rules = new Map<string, string[]>();
  const elements = new Map<string, Set<string>>();
  for (const item of items) {
    if (item.chain) {
      const { handle: _h, name, ...decl } = item.chain as Json;
      chains.set(String(name), stableJson(decl));
    } else if (item.set) {
      const { handle: _h, name, elem, ...decl } = item.set as Json;
      sets.set(String(name), stableJson(decl));
      elements.set(String(name), new Set(Array.isArray(elem) ? elem.map(canonicalElement) : []));
    } else if (item.rule) {
      const { chain, comment, expr } = item.rule as Json;
      const list = rules.get(String(chain)) ?? [];
      list.push(stableJson({ comment: comment ?? null, expr: zeroCounters(expr) }));
      rules.set(String(chain), list);
    }
  }
  return { chains, sets, rules, elements };
}

function inTable(item: Json, table: string): boolean {
  const obj = Object.values(item)[0] as Json | undefined;
  if (!obj || typeof obj !== "object") return false;
  const name = item.table ? obj.name : obj.table;
  return obj.family === "inet" && name === table;
}

function zeroCounters(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(zeroCounters);
  if (value && typeof value === "object") {
    const out: Json = {};
    for (const [k, v] of Object.entries(value)) out[k] = k === "counter" ? null : zeroCounters(v);
    return out;
  }
  return value;
}

/** One listed element -> `addr` or `addr/len` (or `a-b` for a range nft merged). */
export function canonicalElement(elem: unknown): string {
  if (typeof elem === "string") return canonicalAddress(elem);
  const e = elem as Json;
  if (e.prefix) {
    const p = e.prefix as { addr: string; len: number };
    return canonicalCidr(`${p.addr}/${p.len}`);
  }
  if (Array.isArray(e.range)) return e.range.map((a) => canonicalElement(a)).join("-");
  if (e.elem) return canonicalElement((e.elem as Json).val);
  return stableJson(elem);
}

/** `2001:0002::/128` -> `2001:2::`, `198.18.0.1/32` -> `198.18.0.1`, `198.18.1.0/24` unchanged. */
export function canonicalCidr(cidr: string): string {
  const [addr = "", len] = cidr.split("/");
  const canon = canonicalAddress(addr);
  const host = canon.includes(":") ? "128" : "32";
  return len === undefined || len === host ? canon : `${canon}/${len}`;
}

function canonicalAddress(addr: string): string {
  if (!addr.includes(":")) return addr;
  try {
    return new URL(`http://[${addr}]/`).hostname.slice(1, -1);
  } catch {
    return addr;
  }
}
