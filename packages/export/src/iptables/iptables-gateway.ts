// Gateway form of the iptables export: FORWARD jumps to MICROSEG-FWD, which sends a packet from
// a managed workload's address through MSEG-O-<i> and one to a managed workload's address through
// MSEG-I-<i>. An allow RETURNs so the other end is checked too; the FORWARD policy accepts what
// both ends passed. iptables has no verdict maps: one `-s`/`-d` rule per workload address.

import { addressesOf, type GatewayPlan, type GatewayWorkload } from "../gateway-plan.js";
import { chainRows, fits } from "../rows.js";
import { rowLines } from "./iptables-rules.js";

export function renderIptablesGateway(plan: GatewayPlan, family: 4 | 6): string {
  const addrs = addressesOf(plan, family);
  const bits = family === 4 ? 32 : 128;
  const lines = [
    `# microseg export: gateway rules for ${plan.workloads.length} managed workloads, IPv${family}`,
    "*filter",
    ":INPUT ACCEPT [0:0]",
    ":FORWARD ACCEPT [0:0]",
    ":OUTPUT ACCEPT [0:0]",
    ":MICROSEG-FWD - [0:0]",
    ...plan.workloads.flatMap((w) => [`:MSEG-O-${w.index} - [0:0]`, `:MSEG-I-${w.index} - [0:0]`]),
    "-A FORWARD -j MICROSEG-FWD",
    '-A MICROSEG-FWD -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment "mseg:established" -j ACCEPT',
    ...addrs.map(([a, i]) => `-A MICROSEG-FWD -s ${a}/${bits} -j MSEG-O-${i}`),
    ...addrs.map(([a, i]) => `-A MICROSEG-FWD -d ${a}/${bits} -j MSEG-I-${i}`),
    ...plan.workloads.flatMap((w) => [
      ...chain(w, "outbound", family),
      ...chain(w, "inbound", family),
    ]),
    "COMMIT",
  ];
  return `${lines.join("\n")}\n`;
}

function chain(w: GatewayWorkload, direction: "inbound" | "outbound", family: 4 | 6): string[] {
  const name = `MSEG-${direction === "inbound" ? "I" : "O"}-${w.index}`;
  const rs = w.ruleSet;
  const rows = chainRows(direction === "inbound" ? rs.inbound : rs.outbound, direction, rs.mode);
  return rows
    .filter((r) => (r.family === undefined || r.family === family) && fits(r.port, family))
    .map((r) => (r.set === undefined ? r : { ...r, set: w.setName(r.set) }))
    .flatMap((r) => rowLines(name, r, direction === "inbound" ? "src" : "dst", family, "RETURN"));
}
