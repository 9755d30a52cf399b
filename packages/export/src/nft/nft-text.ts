// Rows -> nft statements (text syntax, as `nft -f` reads it).

import type { AddressSet, PortMatch } from "@microseg/core";
import { type Family, label, type Row } from "../rows.js";

const LOG_GROUP = 1;
const MAX_LABEL = 127;

export function setNames(set: string): Record<Family, string> {
  const base = /^[A-Za-z_][A-Za-z0-9_]{0,60}$/.test(set)
    ? set
    : `s_${set.replace(/\W/g, "_").slice(0, 40)}`;
  return { 4: `${base}_v4`, 6: `${base}_v6` };
}

export function setBlocks(name: string, set: AddressSet, indent: string): string[] {
  const names = setNames(name);
  const out: string[] = [];
  for (const family of [4, 6] as const) {
    const cidrs = family === 4 ? set.v4 : set.v6;
    out.push(`${indent}set ${names[family]} {`);
    out.push(`${indent}\ttype ${family === 4 ? "ipv4_addr" : "ipv6_addr"}`);
    out.push(`${indent}\tflags interval`);
    if (cidrs.length > 0) out.push(`${indent}\telements = { ${cidrs.join(", ")} }`);
    out.push(`${indent}}`);
  }
  return out;
}

/** `ip saddr @s_v4 meta l4proto tcp th dport { 80, 8000-8080 } counter accept comment "id"` */
export function rowStatement(row: Row, side: "saddr" | "daddr", passVerdict: string): string {
  const parts: string[] = [];
  if (row.set !== undefined && row.family !== undefined) {
    parts.push(`${row.family === 4 ? "ip" : "ip6"} ${side} @${setNames(row.set)[row.family]}`);
  }
  parts.push(...portMatch(row.port), "counter");
  if (row.report !== undefined) {
    parts.push(`log prefix "${label(row.report, MAX_LABEL)}" group ${LOG_GROUP}`);
  }
  parts.push(row.treatment === "report-drop" ? "drop" : passVerdict);
  parts.push(`comment "${label(row.id, MAX_LABEL)}"`);
  return parts.join(" ");
}

function portMatch(port: PortMatch): string[] {
  switch (port.proto) {
    case "any":
      return [];
    case "icmp":
    case "icmpv6": {
      if (port.types === undefined || port.types.length === 0) {
        return [`meta l4proto ${port.proto === "icmp" ? "icmp" : "ipv6-icmp"}`];
      }
      return [`${port.proto} type { ${port.types.join(", ")} }`];
    }
    default: {
      const ranges = port.ranges.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`));
      return [`meta l4proto ${port.proto} th dport { ${ranges.join(", ")} }`];
    }
  }
}
