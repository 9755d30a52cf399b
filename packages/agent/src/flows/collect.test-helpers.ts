// For the privileged flow tests: the real collector started in a namespace, its batches kept in
// a list instead of sent to a controller.
import { join } from "node:path";
import type { Netns } from "@microseg/nft/testing";
import type { FlowBatch, FlowTuple } from "@microseg/protocol/agent";
import { type FlowCollection, startFlowCollection } from "./start-flows.js";

/** `2001:2:0:0::1` -> `2001:2::1`, the form conntrack and nft print. */
export const canonical = (a: string) =>
  a.includes(":") ? new URL(`http://[${a}]/`).hostname.slice(1, -1) : a;

export const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** Starts the collector in `ns` (state under `stateDir/name`); every record lands in `sink`. */
export function collectInto(
  ns: Netns,
  stateDir: string,
  name: string,
  local: { v4: string; v6: string },
  sink: FlowTuple[],
): Promise<FlowCollection> {
  return startFlowCollection({
    stateDir: join(stateDir, name),
    intervalMs: 200,
    netns: ns.name,
    localAddresses: () => new Set([local.v4, local.v6]),
    send: () => async (batch: FlowBatch) => {
      sink.push(...batch.records);
      return { seq: batch.seq, duplicate: false };
    },
    log: quiet,
  });
}
