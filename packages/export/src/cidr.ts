// Small CIDR algebra for exporters (include minus except, overlap), over BigInt ranges.
// Kept here rather than imported because core's address math is internal to core.

export type Family = 4 | 6;
interface Range {
  readonly lo: bigint;
  readonly hi: bigint;
}
/** Normalized ranges per family: sorted, merged. */
export interface Ranges {
  readonly v4: readonly Range[];
  readonly v6: readonly Range[];
}

const BITS: Record<Family, bigint> = { 4: 32n, 6: 128n };

export function parseIp(text: string): { family: Family; value: bigint } | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) {
    const parts = text.split(".").map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    return { family: 4, value: parts.reduce((acc, p) => acc * 256n + BigInt(p), 0n) };
  }
  if (!text.includes(":")) return undefined;
  const [head = "", tail, extra] = text.split("::");
  if (extra !== undefined) return undefined;
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const fill = 8 - h.length - t.length;
  if ((tail === undefined && fill !== 0) || fill < 0) return undefined;
  const all = [...h, ...new Array<string>(fill).fill("0"), ...t];
  if (!all.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return { family: 6, value: all.reduce((acc, g) => (acc << 16n) + BigInt(`0x${g}`), 0n) };
}

function parseRange(text: string): { family: Family; range: Range } | undefined {
  const [addr = "", len] = text.split("/");
  const ip = parseIp(addr);
  if (ip === undefined) return undefined;
  const bits = BITS[ip.family];
  const n = len === undefined ? bits : BigInt(len);
  const host = (1n << (bits - n)) - 1n;
  const lo = ip.value & ~host;
  return { family: ip.family, range: { lo, hi: lo | host } };
}

function normalize(list: Range[]): Range[] {
  const sorted = [...list].sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
  const out: Range[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && r.lo <= last.hi + 1n) {
      out[out.length - 1] = { lo: last.lo, hi: r.hi > last.hi ? r.hi : last.hi };
    } else out.push(r);
  }
  return out;
}

export function toRanges(cidrs: readonly string[]): Ranges {
  const v4: Range[] = [];
  const v6: Range[] = [];
  for (const c of cidrs) {
    const p = parseRange(c);
    if (p !== undefined) (p.family === 4 ? v4 : v6).push(p.range);
  }
  return { v4: normalize(v4), v6: normalize(v6) };
}

function subtractList(a: readonly Range[], b: readonly Range[]): Range[] {
  let out = [...a];
  for (const cut of b) {
    out = out.flatMap((r) => {
      if (cut.hi < r.lo || cut.lo > r.hi) return [r];
      const parts: Range[] = [];
      if (cut.lo > r.lo) parts.push({ lo: r.lo, hi: cut.lo - 1n });
      if (cut.hi < r.hi) parts.push({ lo: cut.hi + 1n, hi: r.hi });
      return parts;
    });
  }
  return out;
}

function intersectList(a: readonly Range[], b: readonly Range[]): Range[] {
  const out: Range[] = [];
  for (const x of a)
    for (const y of b) {
      const lo = x.lo > y.lo ? x.lo : y.lo;
      const hi = x.hi < y.hi ? x.hi : y.hi;
      if (lo <= hi) out.push({ lo, hi });
    }
  return normalize(out);
}

export function subtract(a: Ranges, b: Ranges): Ranges {
  return { v4: subtractList(a.v4, b.v4), v6: subtractList(a.v6, b.v6) };
}

export function intersect(a: Ranges, b: Ranges): Ranges {
  return { v4: intersectList(a.v4, b.v4), v6: intersectList(a.v6, b.v6) };
}

export function union(a: Ranges, b: Ranges): Ranges {
  return { v4: normalize([...a.v4, ...b.v4]), v6: normalize([...a.v6, ...b.v6]) };
}

export function isEmpty(r: Ranges): boolean {
  return r.v4.length === 0 && r.v6.length === 0;
}

export const NO_RANGES: Ranges = { v4: [], v6: [] };
export const ALL_RANGES: Ranges = toRanges(["0.0.0.0/0", "::/0"]);

/** Minimal CIDR cover, IPv4 first. */
export function toCidrs(r: Ranges): string[] {
  return [...r.v4.flatMap((x) => rangeCidrs(x, 4)), ...r.v6.flatMap((x) => rangeCidrs(x, 6))];
}

function rangeCidrs(range: Range, family: Family): string[] {
  const bits = BITS[family];
  const out: string[] = [];
  let lo = range.lo;
  while (lo <= range.hi) {
    let size = lo === 0n ? 1n << bits : lo & -lo;
    while (lo + size - 1n > range.hi) size >>= 1n;
    let len = bits;
    for (let s = size; s > 1n; s >>= 1n) len -= 1n;
    out.push(`${formatIp(lo, family)}/${len}`);
    lo += size;
  }
  return out;
}

export function formatIp(value: bigint, family: Family): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 255n)).join(".");
  }
  const groups = Array.from({ length: 8 }, (_, i) => (value >> BigInt(112 - 16 * i)) & 0xffffn);
  // RFC 5952: the longest run (>= 2) of zero groups becomes `::`, the first one on a tie.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0n) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLen).join(":")}`;
}

/** Address family of a CIDR or address text. */
export function familyOf(text: string): Family {
  return text.includes(":") ? 6 : 4;
}

/** `a/32` and `a/128` as plain host CIDRs for a workload address. */
export function hostCidr(address: string): string {
  return `${address}/${familyOf(address) === 4 ? 32 : 128}`;
}
