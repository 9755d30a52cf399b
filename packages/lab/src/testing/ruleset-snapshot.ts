// What a host's firewalls hold, in a form in which two readings of unchanged rules compare
// equal (pure; the coexistence test reads the kernel with it):
//
//   nft -j list ruleset  ── splitRuleset(listing, own) ──> { own: items, others: items }
//                           each item stable JSON, handles and expiry dropped, counters zeroed
//   iptables-save text   ── normalizeSave(text) ──────────> lines, date comments and chain
//                                                           counters ([packets:bytes]) dropped
//
// nft's JSON names a compat (xt) match only by its name (`{"xt":{"type":"match","name":
// "addrtype"}}`), so rules made through iptables-nft are compared in iptables-save text too.
import { stableJson } from "@microseg/nft/render";

export interface TableRef {
  readonly family: string;
  readonly name: string;
}

export interface SplitRuleset {
  /** Items of the table `own` (table, chains, sets, rules), in listing order. */
  readonly own: string[];
  /** Items of every other table, in listing order. */
  readonly others: string[];
}

type Json = Record<string, unknown>;

/** Splits `nft -j list ruleset` output into the items of table `own` and all the others. */
export function splitRuleset(listing: string, own: TableRef): SplitRuleset {
  const items = (JSON.parse(listing) as { nftables?: Json[] }).nftables ?? [];
  const out: SplitRuleset = { own: [], others: [] };
  for (const item of items) {
    const [kind, body] = Object.entries(item)[0] ?? [];
    if (kind === undefined || kind === "metainfo" || !isObject(body)) continue;
    const table = kind === "table" ? body.name : body.table;
    const mine = body.family === own.family && table === own.name;
    (mine ? out.own : out.others).push(stableJson({ [kind]: normalize(body) }));
  }
  return out;
}

/** iptables-save output without what changes by itself: comments, chain counters. */
export function normalizeSave(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.trimEnd())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => (line.startsWith(":") ? line.replace(/\[\d+:\d+\]$/, "[0:0]") : line));
}

/** Drops `handle` and `expires`, zeroes `packets` and `bytes`, at any depth. */
function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize);
  if (!isObject(value)) return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === "handle" || k === "expires") continue;
    out[k] = k === "packets" || k === "bytes" ? 0 : normalize(v);
  }
  return out;
}

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
