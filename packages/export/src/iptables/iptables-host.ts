// Host form of the iptables export: the filter table for iptables-restore (one per family),
// with the workload's chains in MICROSEG-IN / MICROSEG-OUT, jumped to from INPUT / OUTPUT.
// iptables-restore replaces the whole filter table in one commit (other tables are kept).

import type { RuleSet } from "@microseg/core";
import { chainRows, fits } from "../rows.js";
import { rowLines } from "./iptables-rules.js";

const ND_TYPES = [133, 134, 135, 136, 137];

export function renderIptablesHost(rs: RuleSet, family: 4 | 6): string {
  const lines = [
    `# microseg export: host rules of workload ${rs.workload} (mode ${rs.mode}), IPv${family}`,
    "*filter",
    ":INPUT ACCEPT [0:0]",
    ":FORWARD ACCEPT [0:0]",
    ":OUTPUT ACCEPT [0:0]",
    ":MICROSEG-IN - [0:0]",
    ":MICROSEG-OUT - [0:0]",
    "-A INPUT -j MICROSEG-IN",
    "-A OUTPUT -j MICROSEG-OUT",
    ...chain(rs, "MICROSEG-IN", family),
    ...chain(rs, "MICROSEG-OUT", family),
    "COMMIT",
  ];
  return `${lines.join("\n")}\n`;
}

function chain(rs: RuleSet, name: "MICROSEG-IN" | "MICROSEG-OUT", family: 4 | 6): string[] {
  const inbound = name === "MICROSEG-IN";
  const rows = chainRows(
    inbound ? rs.inbound : rs.outbound,
    inbound ? "inbound" : "outbound",
    rs.mode,
  );
  const fixed = [
    `-A ${name} -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment "mseg:established" -j ACCEPT`,
    `-A ${name} ${inbound ? "-i" : "-o"} lo -m comment --comment "mseg:loopback" -j ACCEPT`,
    ...(family === 6
      ? ND_TYPES.map(
          (t) =>
            `-A ${name} -p ipv6-icmp --icmpv6-type ${t} -m comment --comment "mseg:nd" -j ACCEPT`,
        )
      : []),
  ];
  const entries = rows
    .filter((r) => (r.family === undefined || r.family === family) && fits(r.port, family))
    .flatMap((r) => rowLines(name, r, inbound ? "src" : "dst", family, "ACCEPT"));
  return [...fixed, ...entries];
}
