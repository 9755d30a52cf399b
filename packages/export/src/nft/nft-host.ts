// Host form of the nft export: one standalone script for `nft -f`, replacing the table
// `inet microseg` atomically (the same layout the agent's own renderer builds, see
// docs/design/nft.md), for one workload's RuleSet.

import type { RuleSet } from "@microseg/core";
import { chainRows, usedSets } from "../rows.js";
import { rowStatement, setBlocks } from "./nft-text.js";

export const HOST_TABLE = "microseg";
const ND =
  "nd-router-solicit, nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert, nd-redirect";

export function renderNftHost(rs: RuleSet, table = HOST_TABLE): string {
  const lines = [
    "#!/usr/sbin/nft -f",
    `# microseg export: host rules of workload ${rs.workload} (mode ${rs.mode}), RuleSet ${rs.hash}`,
    "# Replaces the table in one transaction: the add makes the delete safe on a fresh host.",
    `table inet ${table}`,
    `delete table inet ${table}`,
    `table inet ${table} {`,
    ...usedSets(rs).flatMap((name) => setBlocks(name, rs.sets[name] ?? { v4: [], v6: [] }, "\t")),
    ...chain(rs, "input"),
    ...chain(rs, "output"),
    "}",
  ];
  return `${lines.join("\n")}\n`;
}

function chain(rs: RuleSet, hook: "input" | "output"): string[] {
  const inbound = hook === "input";
  const rows = chainRows(
    inbound ? rs.inbound : rs.outbound,
    inbound ? "inbound" : "outbound",
    rs.mode,
  );
  const side = inbound ? "saddr" : "daddr";
  return [
    `\tchain ${hook} {`,
    `\t\ttype filter hook ${hook} priority 0; policy accept;`,
    `\t\tct state established,related accept comment "mseg:established"`,
    `\t\t${inbound ? "iif" : "oif"} "lo" accept comment "mseg:loopback"`,
    `\t\ticmpv6 type { ${ND} } accept comment "mseg:nd"`,
    ...rows.map((r) => `\t\t${rowStatement(r, side, "accept")}`),
    "\t}",
  ];
}
