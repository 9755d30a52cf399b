// Address and CIDR parsing into integer ranges. IPv4 values fit in 32 bits and IPv6 in 128, so
// both are held as BigInt: one range algebra serves both families.

import ipaddr from "ipaddr.js";

export type Family = 4 | 6;

/** An inclusive range of addresses of one family. */
export interface AddrRange {
  readonly lo: bigint;
  readonly hi: bigint;
}

export interface ParsedRange extends AddrRange {
  readonly family: Family;
}

export const FAMILY_BITS: Readonly<Record<Family, bigint>> = { 4: 32n, 6: 128n };

/** Parses a plain address (no prefix). Returns undefined when it is not an address. */
export function parseAddress(text: string): { family: Family; value: bigint } | undefined {
  const v4 = parseV4(text);
  if (v4 !== undefined) return { family: 4, value: BigInt(v4) };
  if (!text.includes(":") || !ipaddr.IPv6.isValid(text)) return undefined;
  return { family: 6, value: bytesToBigInt(ipaddr.IPv6.parse(text).toByteArray()) };
}

/**
 * Parses `a.b.c.d/len`, `x::y/len` or a plain address (a host range). Host bits below the prefix
 * are ignored (`10.0.0.1/8` is `10.0.0.0/8`): strictness about that belongs to validation.
 */
export function parseCidr(text: string): ParsedRange | undefined {
  const slash = text.indexOf("/");
  const addr = parseAddress(slash < 0 ? text : text.slice(0, slash));
  if (addr === undefined) return undefined;
  const bits = FAMILY_BITS[addr.family];
  let len = bits;
  if (slash >= 0) {
    const lenText = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(lenText)) return undefined;
    len = BigInt(lenText);
    if (len > bits) return undefined;
  }
  const hostMask = (1n << (bits - len)) - 1n;
  const lo = addr.value & ~hostMask;
  return { family: addr.family, lo, hi: lo | hostMask };
}

/** Strict dotted-quad IPv4 parser (fast path: most inventories are IPv4). */
function parseV4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

function bytesToBigInt(bytes: readonly number[]): bigint {
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  return value;
}
