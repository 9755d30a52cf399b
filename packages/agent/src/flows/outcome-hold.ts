// The hold: a new connection is counted once, when what the network answered it is known.
//
//   NEW [UNREPLIED] ──hold(id)──► held ─┬─ UPDATE, replied ─────────────► established
//                                       ├─ id in a refused set (ICMP error) ► refused
//                                       ├─ DESTROY (reset, or refused id) ─► refused
//                                       ├─ DESTROY otherwise ─────────────► (replied ? established
//                                       │                                    : unanswered)
//                                       └─ holdMs without any of these ──► unanswered
//
// An answer comes within a round trip (a reset, a SYN/ACK, an ICMP error: well under a second
// on a LAN); a TCP SYN is retransmitted after 1 s and 3 s, so 3 s (DEFAULT_HOLD_MS) also covers
// one lost SYN. A connection answered later stays `unanswered`: it was counted when its hold
// ran out, and an UPDATE for an id that is no longer held changes nothing (never counted twice).
// Connections resolved as refused or unanswered are remembered (bounded, oldest first) so that
// their DESTROY traffic joins the same record; every other DESTROY is decided from its own line.
// Bounded: past `maxHeld` the oldest held connection is resolved at once (as at its hold's end).

import type { FlowOutcomeWire } from "@microseg/protocol/agent";
import type { FlowObservation } from "./aggregator.js";
import type { ConntrackEvent } from "./conntrack-line.js";

export const DEFAULT_HOLD_MS = 3000;
const DEFAULT_MAX_HELD = 200_000;
const DEFAULT_MAX_DECIDED = 100_000;

/** An observation still waiting for its outcome. */
export type Pending = Omit<FlowObservation, "outcome">;

interface Held {
  readonly o: Pending;
  readonly atMs: number;
}

/** The outcome of a connection from its DESTROY line and the refused ids. */
export function destroyOutcome(
  ev: Pick<ConntrackEvent, "id" | "replied" | "reset">,
  refused: ReadonlySet<number>,
): FlowOutcomeWire {
  if (ev.replied) return "established";
  if (ev.reset || (ev.id !== undefined && refused.has(ev.id))) return "refused";
  return "unanswered";
}

export class OutcomeHold {
  private readonly held = new Map<number, Held>();
  private readonly decided = new Map<number, FlowOutcomeWire>();

  constructor(
    private readonly holdMs = DEFAULT_HOLD_MS,
    private readonly maxHeld = DEFAULT_MAX_HELD,
    private readonly maxDecided = DEFAULT_MAX_DECIDED,
  ) {}

  get size(): number {
    return this.held.size;
  }

  /** Holds a new connection; answers the oldest one, resolved, when the hold is full. */
  hold(id: number, o: Pending, atMs: number, refused: ReadonlySet<number>): FlowObservation[] {
    const out: FlowObservation[] = [];
    // A reused id (the older entry's DESTROY was lost): the older connection is resolved first.
    if (this.held.has(id)) out.push(this.resolve(id, refused.has(id) ? "refused" : "unanswered"));
    this.held.set(id, { o, atMs });
    const [oldest] = this.held.keys();
    if (this.held.size > this.maxHeld && oldest !== undefined)
      out.push(this.resolve(oldest, refused.has(oldest) ? "refused" : "unanswered"));
    return out;
  }

  /** A reply: the held connection, established; undefined when `id` is not held. */
  answered(id: number): FlowObservation | undefined {
    return this.held.has(id) ? this.resolve(id, "established") : undefined;
  }

  /**
   * The entry ended. `counted`: the held connection, resolved (undefined when not held);
   * `outcome`: the one its DESTROY traffic joins.
   */
  ended(
    ev: Pick<ConntrackEvent, "id" | "replied" | "reset">,
    refused: ReadonlySet<number>,
  ): { counted?: FlowObservation; outcome: FlowOutcomeWire } {
    if (ev.id === undefined) return { outcome: destroyOutcome(ev, refused) };
    const earlier = this.decided.get(ev.id);
    this.decided.delete(ev.id);
    if (!this.held.has(ev.id)) return { outcome: earlier ?? destroyOutcome(ev, refused) };
    const outcome = destroyOutcome(ev, refused);
    const counted = this.resolve(ev.id, outcome);
    this.decided.delete(ev.id); // the entry is gone: nothing more joins it
    return { counted, outcome };
  }

  /**
   * Connections whose outcome is known by now: refused ids (any age) and holds older than
   * holdMs (unanswered, or refused when their id is in `refused`). `all`: every held one.
   */
  due(nowMs: number, refused: ReadonlySet<number>, all = false): FlowObservation[] {
    const out: FlowObservation[] = [];
    for (const [id, h] of this.held) {
      const expired = all || nowMs - h.atMs >= this.holdMs;
      // Insertion order is age order: past the first young one only refused ids matter.
      if (!expired && refused.size === 0) break;
      if (refused.has(id)) out.push(this.resolve(id, "refused"));
      else if (expired) out.push(this.resolve(id, "unanswered"));
    }
    return out;
  }

  private resolve(id: number, outcome: FlowOutcomeWire): FlowObservation {
    const h = this.held.get(id) as Held;
    this.held.delete(id);
    if (outcome !== "established") {
      this.decided.set(id, outcome);
      if (this.decided.size > this.maxDecided) {
        const [oldest] = this.decided.keys();
        if (oldest !== undefined) this.decided.delete(oldest);
      }
    }
    return { ...h.o, outcome };
  }
}
