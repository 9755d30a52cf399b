// Reads the ruleset's recording sets at a cost that does not grow with the address sets:
//
//   nft -j -t list ruleset               terse: rules with counters, set declarations, no
//                                        elements (the driver's drift check uses it for the same
//                                        reason); our table's items only
//   nft -j -p list set inet T flow-...   only for the sets of a recording chain (flow-deny-*,
//                                        flow-wb-*, flow-refused) whose counter moved since the
//                                        last read (both families)
//
// The terse listing runs in a long-lived `nft -j -t -i` session when one is given (no fork:
// ~0.4 ms of nft's CPU instead of ~4 ms), so an idle host (nothing judged) costs next to nothing
// per read; set listings, needed only when attempts were recorded, fork. The answer is one listing for
// parseRecordingListing: sets listed with elements carry an `elem` array (empty when they have
// none); the others are terse and keep what the reader saw before.

import type { NftExec } from "@microseg/nft";
import { flowRefusedSetName, flowSetName, TERSE_LIST_FLAGS } from "@microseg/nft";
import { parseRecordingListing } from "./attempt-sets.js";

type Json = Record<string, unknown>;

const CHAIN = /^flow-(?:(deny|wb)-(in|out)|refused)$/;

/**
 * undefined from the returned function: the table does not exist. `terseList` serves the terse
 * listing (an nft session); default: `nft` itself.
 */
export function recordingReader(
  nft: NftExec,
  table: string,
  terseList: NftExec = nft,
): () => Promise<string | undefined> {
  let lastChains = new Map<string, number>();
  return async () => {
    const res = await terseList([...TERSE_LIST_FLAGS, "list", "ruleset"]);
    if (res.code !== 0) throw new Error(`nft list ruleset failed: ${res.stderr.trim()}`);
    const all = (JSON.parse(res.stdout) as { nftables?: Json[] }).nftables ?? [];
    const ours = all.filter((item) => belongs(item, table));
    if (!ours.some((item) => item.table)) return undefined;
    const terse = parseRecordingListing(res.stdout, table);
    const listedSets: Json[] = [];
    for (const [chain, packets] of terse.chainPackets) {
      if (lastChains.get(chain) === packets) continue;
      const m = CHAIN.exec(chain);
      if (!m) continue;
      for (const family of ["v4", "v6"] as const) {
        const name =
          m[1] === undefined
            ? flowRefusedSetName(family)
            : flowSetName(m[1] as "deny" | "wb", m[2] === "in" ? "inbound" : "outbound", family);
        const set = await nft(["-j", "-p", "list", "set", "inet", table, name]);
        if (set.code !== 0) throw new Error(`nft list set ${name} failed: ${set.stderr.trim()}`);
        for (const item of (JSON.parse(set.stdout) as { nftables?: Json[] }).nftables ?? []) {
          const s = item.set as Json | undefined;
          if (s) listedSets.push({ set: { ...s, elem: Array.isArray(s.elem) ? s.elem : [] } });
        }
      }
    }
    lastChains = new Map(terse.chainPackets);
    const listedNames = new Set(listedSets.map((i) => (i.set as Json).name));
    const rest = ours.filter((i) => !(i.set && listedNames.has((i.set as Json).name)));
    return JSON.stringify({ nftables: [...rest, ...listedSets] });
  };
}

function belongs(item: Json, table: string): boolean {
  const obj = Object.values(item)[0] as Json | undefined;
  if (obj?.family !== "inet") return false;
  return item.table ? obj.name === table : obj.table === table;
}
