// Rows -> iptables-restore rule lines (`-A CHAIN …`). A reported row becomes two lines with the
// same match: NFLOG (group 1, the native backend's report channel), then DROP or the pass
// verdict. multiport takes at most 15 ports (a range counts twice), so long lists are split.

import type { PortMatch } from "@microseg/core";
import { label, type Row } from "../rows.js";
import { ipsetName } from "./ipset.js";

const NFLOG_PREFIX_MAX = 63;
const COMMENT_MAX = 255;

export function rowLines(
  chain: string,
  row: Row,
  side: "src" | "dst",
  family: 4 | 6,
  pass: string,
): string[] {
  const peer =
    row.set === undefined ? [] : ["-m", "set", "--match-set", ipsetName(row.set, family), side];
  const comment = ["-m", "comment", "--comment", `"${label(row.id, COMMENT_MAX)}"`];
  const out: string[] = [];
  for (const port of portMatches(row.port, family)) {
    const match = [`-A ${chain}`, ...peer, ...port, ...comment].join(" ");
    if (row.report !== undefined) {
      out.push(
        `${match} -j NFLOG --nflog-group 1 --nflog-prefix "${label(row.report, NFLOG_PREFIX_MAX)}"`,
      );
    }
    out.push(`${match} -j ${row.treatment === "report-drop" ? "DROP" : pass}`);
  }
  return out;
}

function portMatches(port: PortMatch, family: 4 | 6): string[][] {
  switch (port.proto) {
    case "any":
      return [[]];
    case "icmp":
    case "icmpv6": {
      const proto = family === 4 ? "icmp" : "ipv6-icmp";
      const flag = family === 4 ? "--icmp-type" : "--icmpv6-type";
      if (port.types === undefined || port.types.length === 0) return [["-p", proto]];
      return port.types.map((t) => ["-p", proto, flag, String(t)]);
    }
    default:
      return chunks(port.ranges).map((group) =>
        group.length === 1 && group[0]?.[0] === group[0]?.[1]
          ? ["-p", port.proto, "--dport", String(group[0]?.[0])]
          : ["-p", port.proto, "-m", "multiport", "--dports", group.map(fmtRange).join(",")],
      );
  }
}

function fmtRange([a, b]: readonly [number, number]): string {
  return a === b ? String(a) : `${a}:${b}`;
}

function chunks(ranges: readonly (readonly [number, number])[]): (readonly [number, number])[][] {
  const out: (readonly [number, number])[][] = [];
  let current: (readonly [number, number])[] = [];
  let weight = 0;
  for (const r of ranges) {
    const w = r[0] === r[1] ? 1 : 2;
    if (weight + w > 15) {
      out.push(current);
      current = [];
      weight = 0;
    }
    current.push(r);
    weight += w;
  }
  if (current.length > 0) out.push(current);
  return out;
}
