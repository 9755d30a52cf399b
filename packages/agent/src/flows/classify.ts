// A conntrack event -> an observation of this host's side of the connection (pure).
//
// Side from the host's own addresses: the original source is ours -> `out` (we opened it), the
// original destination is ours -> `in`; neither or both (forwarded, or talking to ourselves) is
// not east-west traffic of this host and is skipped. A NEW counts one connection; a DESTROY
// brings the packets/bytes of both directions (count 0). In test mode a connection whose key is
// in a would-block set is the ruleset's would-block: its NEW counts one `would-block`
// connection (never an `allowed` one), its DESTROY adds its traffic to the would-block record.
// The outcome is not decided here (outcome-hold.ts).

import { flowKey } from "./aggregator.js";
import type { ConntrackEvent } from "./conntrack-line.js";
import type { Pending } from "./outcome-hold.js";
import { protocolName } from "./protocols.js";

/** Conntrack ids of open would-block connections, bounded (oldest forgotten first). */
export class WouldBlockIds {
  private readonly ids = new Set<number>();
  constructor(private readonly max = 100_000) {}

  remember(id: number): void {
    this.ids.add(id);
    if (this.ids.size > this.max) {
      const oldest = this.ids.values().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
  }

  /** true (and forgotten) when `id` was remembered. */
  take(id: number): boolean {
    return this.ids.delete(id);
  }
}

export interface ClassifyContext {
  readonly local: ReadonlySet<string>;
  /** flowKey of the would-block attempts the ruleset holds now. */
  readonly wouldBlock: ReadonlySet<string>;
  readonly wouldBlockIds: WouldBlockIds;
  readonly nowMs: number;
}

export function observeConnection(ev: ConntrackEvent, ctx: ClassifyContext): Pending | undefined {
  if (ev.type === "update") return undefined; // an answer, not a connection (outcome-hold.ts)
  const srcLocal = ctx.local.has(ev.src);
  const dstLocal = ctx.local.has(ev.dst);
  if (srcLocal === dstLocal) return undefined;
  const side = srcLocal ? "out" : "in";
  const proto = protocolName(ev.protocol);
  const local = srcLocal ? ev.src : ev.dst;
  const remote = srcLocal ? ev.dst : ev.src;
  const at = ev.atMs ?? ctx.nowMs;
  // Enforce and learn mode have no would-block elements: skip building the key.
  const key = ctx.wouldBlock.size > 0 ? flowKey({ side, proto, local, remote, port: ev.port }) : "";
  const observation = (verdict: Pending["verdict"], count: number): Pending => ({
    side,
    proto,
    local,
    remote,
    port: ev.port,
    verdict,
    count,
    packets: ev.packets,
    bytes: ev.bytes,
    firstMs: at,
    lastMs: at,
  });
  if (ev.type === "new") {
    if (key && ctx.wouldBlock.has(key)) {
      if (ev.id !== undefined) ctx.wouldBlockIds.remember(ev.id);
      return observation("would-block", 1);
    }
    return observation("allowed", 1);
  }
  const wouldBlock =
    (ev.id !== undefined && ctx.wouldBlockIds.take(ev.id)) ||
    (key !== "" && ctx.wouldBlock.has(key));
  if (ev.packets === 0 && ev.bytes === 0) return undefined;
  return observation(wouldBlock ? "would-block" : "allowed", 0);
}
