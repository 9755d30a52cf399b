// `--to nft`: a standalone nft script (host or gateway form) from core's RuleSets.

import { FidelityLog } from "../fidelity.js";
import { planGateway } from "../gateway-plan.js";
import { noteModes, ruleSetsFor } from "../host-rulesets.js";
import type { ExportInput, ExportOptions, ExportResult } from "../types.js";
import { renderNftGateway } from "./nft-gateway.js";
import { renderNftHost } from "./nft-host.js";

export function exportNft(input: ExportInput, options: ExportOptions = {}): ExportResult {
  const log = new FidelityLog();
  const ruleSets = ruleSetsFor(input, options, "nft");
  noteModes(ruleSets, log, "nft");
  if (options.gateway === true) {
    return { output: renderNftGateway(planGateway(ruleSets, log, "nft")), fidelity: log.entries() };
  }
  const [rs] = ruleSets;
  return { output: rs === undefined ? "" : renderNftHost(rs), fidelity: log.entries() };
}
