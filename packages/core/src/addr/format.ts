// Ranges back to text: the minimal list of CIDRs covering each range exactly.

import ipaddr from "ipaddr.js";
import { type AddrRange, FAMILY_BITS, type Family } from "./parse.js";

export function formatAddress(value: bigint, family: Family): string {
  if (family === 4) {
    const n = Number(value);
    return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
  }
  const bytes: number[] = new Array(16);
  let v = value;
  for (let i = 15; i >= 0; i--) {
    bytes[i] = Number(v & 255n);
    v >>= 8n;
  }
  return (ipaddr.fromByteArray(bytes) as ipaddr.IPv6).toRFC5952String();
}

/** Minimal CIDR cover of one range, lowest first. */
export function rangeToCidrs(range: AddrRange, family: Family): string[] {
  const bits = FAMILY_BITS[family];
  const out: string[] = [];
  let lo = range.lo;
  while (lo <= range.hi) {
    // Largest block aligned at `lo` that does not pass `hi`.
    let size = lo === 0n ? 1n << bits : lo & -lo;
    while (lo + size - 1n > range.hi) size >>= 1n;
    out.push(`${formatAddress(lo, family)}/${bits - log2(size)}`);
    lo += size;
  }
  return out;
}

export function rangesToCidrs(ranges: readonly AddrRange[], family: Family): string[] {
  const out: string[] = [];
  for (const r of ranges) {
    if (r.lo === r.hi) out.push(`${formatAddress(r.lo, family)}/${FAMILY_BITS[family]}`);
    else out.push(...rangeToCidrs(r, family));
  }
  return out;
}

function log2(size: bigint): bigint {
  let n = 0n;
  while (size > 1n) {
    size >>= 1n;
    n++;
  }
  return n;
}
