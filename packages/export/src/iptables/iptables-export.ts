// `--to iptables`: a shell script that loads the peer sets (`ipset restore`), then the IPv4 and
// IPv6 filter tables (`iptables-restore`, `ip6tables-restore`). The three inputs are also
// returned as parts, for tools that load them separately.

import type { AddressSet, RuleSet } from "@microseg/core";
import { FidelityLog } from "../fidelity.js";
import { planGateway } from "../gateway-plan.js";
import { noteModes, ruleSetsFor } from "../host-rulesets.js";
import type { ExportInput, ExportOptions, ExportResult } from "../types.js";
import { ipsetRestore } from "./ipset.js";
import { renderIptablesGateway } from "./iptables-gateway.js";
import { renderIptablesHost } from "./iptables-host.js";

export function exportIptables(input: ExportInput, options: ExportOptions = {}): ExportResult {
  const log = new FidelityLog();
  const ruleSets = ruleSetsFor(input, options, "iptables");
  noteModes(ruleSets, log, "iptables");
  let parts: { ipset: string; iptables: string; ip6tables: string };
  if (options.gateway === true) {
    const plan = planGateway(ruleSets, log, "iptables");
    parts = {
      ipset: ipsetRestore(plan.sets),
      iptables: renderIptablesGateway(plan, 4),
      ip6tables: renderIptablesGateway(plan, 6),
    };
  } else {
    const rs = ruleSets[0] as RuleSet;
    parts = {
      ipset: ipsetRestore(
        new Map(Object.entries(rs.sets).sort(([a], [b]) => (a < b ? -1 : 1))) as Map<
          string,
          AddressSet
        >,
      ),
      iptables: renderIptablesHost(rs, 4),
      ip6tables: renderIptablesHost(rs, 6),
    };
  }
  return {
    output: script(parts, options.gateway === true ? "gateway" : `host ${ruleSets[0]?.workload}`),
    parts,
    fidelity: log.entries(),
  };
}

function script(
  parts: { ipset: string; iptables: string; ip6tables: string },
  form: string,
): string {
  const heredoc = (cmd: string, body: string, tag: string) =>
    body === "" ? [] : [`${cmd} <<'${tag}'`, body.trimEnd(), tag];
  return `${[
    "#!/bin/sh",
    `# microseg export (iptables, ${form}): peer sets first, then the filter tables.`,
    "set -e",
    ...heredoc("ipset restore", parts.ipset, "MSEG_IPSET"),
    ...heredoc("iptables-restore", parts.iptables, "MSEG_IPTABLES"),
    ...heredoc("ip6tables-restore", parts.ip6tables, "MSEG_IP6TABLES"),
  ].join("\n")}\n`;
}
