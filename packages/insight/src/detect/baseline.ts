// The learned baseline: the edges (from, to, port) seen before, in learn mode or in history.
// A DetectionView's known() answers from it. Bounded: past the cap, new edges are not learned
// (an attacker cannot flush the baseline; the cap is far above a real estate's edge count).
//
// Layout (has() runs once per allowed observation, so it is kept to lookups in small, hot
// tables): names and ports are interned to small integers; per source id, a Map from the
// destination's id to its port id (the edge's only port, the usual case) or a set of port ids.
// No strings are built and no per-edge objects exist unless an edge pair has several ports.

import type { FlowObservation } from "../flow.js";
import { answered } from "../outcome.js";

type Ports = number | Set<number>;

export class Baseline {
  private readonly names = new Map<string, number>();
  private readonly ports = new Map<string, number>();
  /** Indexed by the source's name id: destination name id -> port id(s). */
  private readonly bySource: (Map<number, Ports> | undefined)[] = [];
  private count = 0;
  /** has()'s last source and its destinations (reset by add: the source may be new). */
  private lastFrom: string | undefined;
  private lastTos: Map<number, Ports> | undefined;

  constructor(private readonly maxEdges = 2_000_000) {}

  /** A flat key for callers that keep their own edge sets. */
  static key(from: string, to: string, port: string): string {
    return `${from}\u0000${to}\u0000${port}`;
  }

  add(from: string, to: string, port: string): void {
    if (this.count >= this.maxEdges) return;
    this.lastFrom = undefined;
    const f = intern(this.names, from);
    const t = intern(this.names, to);
    const p = intern(this.ports, port);
    let tos = this.bySource[f];
    if (tos === undefined) {
      tos = new Map();
      this.bySource[f] = tos;
    }
    const held = tos.get(t);
    if (held === undefined) tos.set(t, p);
    else if (typeof held === "number") {
      if (held === p) return;
      tos.set(t, new Set([held, p]));
    } else {
      if (held.has(p)) return;
      held.add(p);
    }
    this.count++;
  }

  /**
   * Learns every allowed observation the network answered (a learn-mode estate's normal
   * traffic): a refused or unanswered contact is never learned, so it stays suspicious.
   */
  learn(observations: readonly FlowObservation[]): void {
    for (const o of observations) {
      if (o.verdict === "allowed" && answered(o)) this.add(o.from.name, o.to.name, o.port);
    }
  }

  has(obs: FlowObservation): boolean {
    // A batch's observations mostly share their source (the reporting agent's workload): its
    // destinations are looked up once per run of it, not once per observation.
    const from = obs.from.name;
    if (from !== this.lastFrom) {
      this.lastFrom = from;
      const f = this.names.get(from);
      this.lastTos = f === undefined ? undefined : this.bySource[f];
    }
    const tos = this.lastTos;
    if (tos === undefined) return false;
    const t = this.names.get(obs.to.name);
    if (t === undefined) return false;
    const held = tos.get(t);
    if (held === undefined) return false;
    const p = this.ports.get(obs.port);
    if (p === undefined) return false;
    return typeof held === "number" ? held === p : held.has(p);
  }

  get size(): number {
    return this.count;
  }
}

function intern(ids: Map<string, number>, s: string): number {
  let id = ids.get(s);
  if (id === undefined) {
    id = ids.size;
    ids.set(s, id);
  }
  return id;
}
