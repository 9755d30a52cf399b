// The learned baseline: the edges (from, to, port) seen before, in learn mode or in history.
// A DetectionView's known() answers from it. Bounded: past the cap, new edges are not learned
// (an attacker cannot flush the baseline; the cap is far above a real estate's edge count).

import type { FlowObservation } from "../flow.js";
import { answered } from "../outcome.js";

export class Baseline {
  /** from -> to -> ports: lookups build no strings (the detector asks once per observation). */
  private readonly edges = new Map<string, Map<string, Set<string>>>();
  private count = 0;
  /** has()'s last source and its destinations (reset by add: the source may be new). */
  private lastFrom: string | undefined;
  private lastTos: Map<string, Set<string>> | undefined;

  constructor(private readonly maxEdges = 2_000_000) {}

  /** A flat key for callers that keep their own edge sets. */
  static key(from: string, to: string, port: string): string {
    return `${from}\u0000${to}\u0000${port}`;
  }

  add(from: string, to: string, port: string): void {
    if (this.count >= this.maxEdges) return;
    this.lastFrom = undefined;
    let tos = this.edges.get(from);
    if (tos === undefined) {
      tos = new Map();
      this.edges.set(from, tos);
    }
    let ports = tos.get(to);
    if (ports === undefined) {
      ports = new Set();
      tos.set(to, ports);
    }
    if (ports.has(port)) return;
    ports.add(port);
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
      this.lastTos = this.edges.get(from);
    }
    return this.lastTos?.get(obs.to.name)?.has(obs.port) === true;
  }

  get size(): number {
    return this.count;
  }
}
