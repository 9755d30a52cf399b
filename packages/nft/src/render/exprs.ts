// Builders for the few rule expressions microseg uses (libnftables-json "match" and statements).

import type { NftExpr } from "./wire.js";

export type Family = "v4" | "v6";
export type Side = "saddr" | "daddr";

export const accept: NftExpr = { accept: null };
export const drop: NftExpr = { drop: null };
export const counter: NftExpr = { counter: null };

export function match(left: unknown, right: unknown, op = "=="): NftExpr {
  return { match: { op, left, right } };
}

export function ctStateEstablished(): NftExpr {
  return match({ ct: { key: "state" } }, ["established", "related"], "in");
}

export function interfaceIs(key: "iif" | "oif", name: string): NftExpr {
  return match({ meta: { key } }, name);
}

/** `ip saddr @set` / `ip6 daddr @set`. */
export function addressInSet(family: Family, side: Side, set: string): NftExpr {
  const protocol = family === "v4" ? "ip" : "ip6";
  return match({ payload: { protocol, field: side } }, `@${set}`);
}

export function l4proto(proto: string): NftExpr {
  return match({ meta: { key: "l4proto" } }, proto);
}

/** `th dport 80` or `th dport { 80, 8000-8080 }` (must follow an l4proto match). */
export function destinationPorts(ranges: readonly (readonly [number, number])[]): NftExpr {
  const values = ranges.map(([from, to]) => (from === to ? from : { range: [from, to] }));
  const right = values.length === 1 ? values[0] : { set: values };
  return match({ payload: { protocol: "th", field: "dport" } }, right);
}

/** `icmp type { ... }` / `icmpv6 type { ... }`; nft adds the l4proto dependency itself. */
export function icmpTypes(proto: "icmp" | "icmpv6", types: readonly (number | string)[]): NftExpr {
  const right = types.length === 1 ? types[0] : { set: [...types] };
  return match({ payload: { protocol: proto, field: "type" } }, right);
}

/** `jump <chain>`: continue in a regular chain (its verdict ends the packet's walk). */
export function jump(chain: string): NftExpr {
  return { jump: { target: chain } };
}

/** `update @set { <key> }`: add the key (or refresh its timeout) and run the set's counter. */
export function updateSet(set: string, key: readonly unknown[]): NftExpr {
  return { set: { op: "update", elem: { concat: key }, set: `@${set}` } };
}
