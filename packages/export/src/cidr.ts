// CIDR algebra for exporters, in the vocabulary they use (Ranges, subtract, intersect, ...): a
// thin layer over core's address math, so there is one implementation of it in the project.

import {
  cidrsToRanges,
  type FamilyRanges,
  intersectFamilyRanges,
  isEmptyRanges,
  rangesToAddressSet,
  subtractFamilyRanges,
  unionRanges,
} from "@microseg/core";

export type Family = 4 | 6;

/** Normalized ranges per family: sorted, merged. */
export type Ranges = FamilyRanges;

export const toRanges = (cidrs: readonly string[]): Ranges => cidrsToRanges(cidrs);
export const subtract = subtractFamilyRanges;
export const intersect = intersectFamilyRanges;
export const union = (a: Ranges, b: Ranges): Ranges => unionRanges([a, b]);
export const isEmpty = isEmptyRanges;

export const NO_RANGES: Ranges = { v4: [], v6: [] };
export const ALL_RANGES: Ranges = toRanges(["0.0.0.0/0", "::/0"]);

/** Minimal CIDR cover, IPv4 first. */
export function toCidrs(r: Ranges): string[] {
  const set = rangesToAddressSet(r);
  return [...set.v4, ...set.v6];
}

/** Address family of a CIDR or address text. */
export function familyOf(text: string): Family {
  return text.includes(":") ? 6 : 4;
}

/** `a/32` and `a/128` as plain host CIDRs for a workload address. */
export function hostCidr(address: string): string {
  return `${address}/${familyOf(address) === 4 ? 32 : 128}`;
}
