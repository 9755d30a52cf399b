// The libnftables JSON wire format (`nft -j`), as far as microseg writes and reads it.
// A document is `{ "nftables": [ command, ... ] }`; every command is an object with one key
// (add, delete, flush, ...) whose value names one object (table, chain, set, element, rule).
// `nft -j -f -` applies the whole document as ONE kernel transaction: all or nothing.

/** One statement or match inside a rule's `expr` list, e.g. `{ "accept": null }`. */
export type NftExpr = Readonly<Record<string, unknown>>;

/** One element of an address set: a plain address or a prefix. */
export type NftElement =
  | string
  | { readonly prefix: { readonly addr: string; readonly len: number } };

export interface NftTable {
  readonly family: "inet";
  readonly name: string;
}

export interface NftChain {
  readonly family: "inet";
  readonly table: string;
  readonly name: string;
  readonly type: "filter";
  readonly hook: "input" | "output";
  readonly prio: number;
  readonly policy: "accept" | "drop";
}

/** A regular chain (no hook): only reached by `jump` (the flow recording chains). */
export interface NftRegularChain {
  readonly family: "inet";
  readonly table: string;
  readonly name: string;
}

export interface NftSet {
  readonly family: "inet";
  readonly table: string;
  readonly name: string;
  /**
   * One type, or a concatenation (`ipv4_addr . ipv4_addr . inet_proto . inet_service`). `mark`:
   * any 32-bit key (the refused connections' `ct id`).
   */
  readonly type: "ipv4_addr" | "ipv6_addr" | "mark" | readonly string[];
  /** ["interval"] for prefix sets, ["timeout"] for the dynamic flow sets; absent for hash sets. */
  readonly flags?: readonly ("interval" | "timeout")[];
  /** Seconds an element lives (flow sets). */
  readonly timeout?: number;
  /** Maximum number of elements (flow sets). */
  readonly size?: number;
  /** Statements every element carries, e.g. `[{ "counter": null }]`. */
  readonly stmt?: readonly NftExpr[];
}

export interface NftElements {
  readonly family: "inet";
  readonly table: string;
  /** The set the elements belong to. */
  readonly name: string;
  readonly elem: readonly NftElement[];
}

export interface NftRule {
  readonly family: "inet";
  readonly table: string;
  readonly chain: string;
  readonly expr: readonly NftExpr[];
  readonly comment?: string;
}

export type NftCommand =
  | { readonly add: { readonly table: NftTable } }
  | { readonly delete: { readonly table: NftTable } }
  | { readonly add: { readonly chain: NftChain | NftRegularChain } }
  | { readonly add: { readonly set: NftSet } }
  | { readonly add: { readonly element: NftElements } }
  | { readonly delete: { readonly element: NftElements } }
  | { readonly add: { readonly rule: NftRule } };

export interface NftDocument {
  readonly nftables: readonly NftCommand[];
}
