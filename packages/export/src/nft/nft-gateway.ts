// Gateway form of the nft export: a forward chain that sends each packet through its source
// workload's outbound chain and its destination workload's inbound chain, picked by verdict
// maps (one lookup, whatever the number of workloads). An allow returns to the forward chain so
// the other end is checked too; a deny drops (enforce) or reports and returns (test).

import type { Chain, Direction } from "@microseg/core";
import { addressesOf, type GatewayPlan, type GatewayWorkload } from "../gateway-plan.js";
import { chainRows, type Row } from "../rows.js";
import { rowStatement, setBlocks } from "./nft-text.js";

export const GATEWAY_TABLE = "microseg_gw";

export function renderNftGateway(plan: GatewayPlan, table = GATEWAY_TABLE): string {
  const lines = [
    "#!/usr/sbin/nft -f",
    `# microseg export: gateway rules for ${plan.workloads.length} managed workloads`,
    `table inet ${table}`,
    `delete table inet ${table}`,
    `table inet ${table} {`,
    ...[...plan.sets].flatMap(([name, set]) => setBlocks(name, set, "\t")),
    ...maps(plan),
    "\tchain forward {",
    "\t\ttype filter hook forward priority 0; policy accept;",
    '\t\tct state established,related accept comment "mseg:established"',
    "\t\tip saddr vmap @out_v4",
    "\t\tip6 saddr vmap @out_v6",
    "\t\tip daddr vmap @in_v4",
    "\t\tip6 daddr vmap @in_v6",
    "\t}",
    ...plan.workloads.flatMap((w) => [
      ...workloadChain(w, "outbound", w.ruleSet.outbound),
      ...workloadChain(w, "inbound", w.ruleSet.inbound),
    ]),
    "}",
  ];
  return `${lines.join("\n")}\n`;
}

function maps(plan: GatewayPlan): string[] {
  const out: string[] = [];
  for (const dir of ["out", "in"] as const) {
    for (const family of [4, 6] as const) {
      const elems = addressesOf(plan, family).map(([a, i]) => `${a} : jump ${dir}_${i}`);
      out.push(
        `\tmap ${dir}_v${family} {`,
        `\t\ttype ${family === 4 ? "ipv4_addr" : "ipv6_addr"} : verdict`,
      );
      if (elems.length > 0) out.push(`\t\telements = { ${elems.join(", ")} }`);
      out.push("\t}");
    }
  }
  return out;
}

function workloadChain(w: GatewayWorkload, direction: Direction, chain: Chain): string[] {
  const name = `${direction === "inbound" ? "in" : "out"}_${w.index}`;
  const side = direction === "inbound" ? "saddr" : "daddr";
  const rows = chainRows(chain, direction, w.ruleSet.mode).map(
    (r): Row => (r.set === undefined ? r : { ...r, set: w.setName(r.set) }),
  );
  return [
    `\tchain ${name} {`,
    `\t\t# ${direction} of workload ${w.ruleSet.workload} (mode ${w.ruleSet.mode})`,
    ...rows.map((r) => `\t\t${rowStatement(r, side, "return")}`),
    "\t}",
  ];
}
