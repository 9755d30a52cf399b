// Range algebra on sorted, merged, non-overlapping inclusive ranges of one family.

import type { AddrRange } from "./parse.js";

/** Sorts and merges overlapping or adjacent ranges. Does not mutate its input. */
export function normalizeRanges(ranges: readonly AddrRange[]): AddrRange[] {
  if (ranges.length <= 1) return ranges.slice();
  const sorted = ranges.slice().sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
  const out: AddrRange[] = [];
  let cur = sorted[0] as AddrRange;
  for (let i = 1; i < sorted.length; i++) {
    const next = sorted[i] as AddrRange;
    if (next.lo <= cur.hi + 1n) {
      if (next.hi > cur.hi) cur = { lo: cur.lo, hi: next.hi };
    } else {
      out.push(cur);
      cur = next;
    }
  }
  out.push(cur);
  return out;
}

/** `a` minus `b`; both must be normalized. The result is normalized. */
export function subtractRanges(a: readonly AddrRange[], b: readonly AddrRange[]): AddrRange[] {
  const out: AddrRange[] = [];
  let j = 0;
  for (const range of a) {
    let lo = range.lo;
    const hi = range.hi;
    while (j < b.length && (b[j] as AddrRange).hi < lo) j++;
    let k = j;
    while (k < b.length && lo <= hi) {
      const cut = b[k] as AddrRange;
      if (cut.lo > hi) break;
      if (cut.lo > lo) out.push({ lo, hi: cut.lo - 1n });
      lo = cut.hi + 1n;
      k++;
    }
    if (lo <= hi) out.push({ lo, hi });
  }
  return out;
}

/** Binary search in normalized ranges. */
export function rangesContain(ranges: readonly AddrRange[], value: bigint): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = ranges[mid] as AddrRange;
    if (value < r.lo) hi = mid - 1;
    else if (value > r.hi) lo = mid + 1;
    else return true;
  }
  return false;
}

/** `a` intersected with `b`; both must be normalized. The result is normalized. */
export function intersectRanges(a: readonly AddrRange[], b: readonly AddrRange[]): AddrRange[] {
  const out: AddrRange[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as AddrRange;
    const y = b[j] as AddrRange;
    // biome-ignore lint/complexity/useMathMinMax: BigInt operands; Math.max takes numbers only
    const lo = x.lo > y.lo ? x.lo : y.lo;
    // biome-ignore lint/complexity/useMathMinMax: BigInt operands; Math.min takes numbers only
    const hi = x.hi < y.hi ? x.hi : y.hi;
    if (lo <= hi) out.push({ lo, hi });
    if (x.hi < y.hi) i++;
    else j++;
  }
  return out;
}
