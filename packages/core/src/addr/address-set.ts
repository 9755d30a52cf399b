// Building and querying normalized AddressSets (the RuleSet's peer sets).

import type { AddressSet } from "../ruleset.js";
import { rangesToCidrs } from "./format.js";
import { type AddrRange, type Family, parseAddress, parseCidr } from "./parse.js";
import { intersectRanges, normalizeRanges, rangesContain, subtractRanges } from "./ranges.js";

/** Normalized ranges per family. */
export interface FamilyRanges {
  readonly v4: readonly AddrRange[];
  readonly v6: readonly AddrRange[];
}

export const EMPTY_RANGES: FamilyRanges = { v4: [], v6: [] };

/** Parses CIDRs/addresses and normalizes them. Unparsable entries are skipped (validation's job). */
export function cidrsToRanges(cidrs: readonly string[]): FamilyRanges {
  const v4: AddrRange[] = [];
  const v6: AddrRange[] = [];
  for (const text of cidrs) {
    const r = parseCidr(text);
    if (r === undefined) continue;
    (r.family === 4 ? v4 : v6).push({ lo: r.lo, hi: r.hi });
  }
  return { v4: normalizeRanges(v4), v6: normalizeRanges(v6) };
}

/** include minus except, exactly. */
export function ipBlockRanges(include: readonly string[], except: readonly string[]): FamilyRanges {
  const inc = cidrsToRanges(include);
  if (except.length === 0) return inc;
  const exc = cidrsToRanges(except);
  return { v4: subtractRanges(inc.v4, exc.v4), v6: subtractRanges(inc.v6, exc.v6) };
}

/** Union of several range lists (any order). */
export function unionRanges(parts: readonly FamilyRanges[]): FamilyRanges {
  if (parts.length === 1) return parts[0] as FamilyRanges;
  const v4: AddrRange[] = [];
  const v6: AddrRange[] = [];
  for (const p of parts) {
    v4.push(...p.v4);
    v6.push(...p.v6);
  }
  return { v4: normalizeRanges(v4), v6: normalizeRanges(v6) };
}

/** `a` minus `b`, per family. */
export function subtractFamilyRanges(a: FamilyRanges, b: FamilyRanges): FamilyRanges {
  return { v4: subtractRanges(a.v4, b.v4), v6: subtractRanges(a.v6, b.v6) };
}

/** `a` intersected with `b`, per family. */
export function intersectFamilyRanges(a: FamilyRanges, b: FamilyRanges): FamilyRanges {
  return { v4: intersectRanges(a.v4, b.v4), v6: intersectRanges(a.v6, b.v6) };
}

export function rangesToAddressSet(r: FamilyRanges): AddressSet {
  return { v4: rangesToCidrs(r.v4, 4), v6: rangesToCidrs(r.v6, 6) };
}

export function isEmptyRanges(r: FamilyRanges): boolean {
  return r.v4.length === 0 && r.v6.length === 0;
}

/** Does a normalized AddressSet hold this address? */
export function addressSetContains(set: AddressSet, address: string): boolean {
  const a = parseAddress(address);
  if (a === undefined) return false;
  const list = a.family === 4 ? set.v4 : set.v6;
  return rangesContain(cidrsToRanges(list)[familyKey(a.family)], a.value);
}

function familyKey(f: Family): "v4" | "v6" {
  return f === 4 ? "v4" : "v6";
}
