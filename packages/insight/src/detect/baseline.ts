// The learned baseline: the edges (from, to, port) seen before, in learn mode or in history.
// A DetectionView's known() answers from it. Bounded: past the cap, new edges are not learned
// (an attacker cannot flush the baseline; the cap is far above a real estate's edge count).

import type { FlowObservation } from "../flow.js";

export class Baseline {
  private readonly edges = new Set<string>();

  constructor(private readonly maxEdges = 2_000_000) {}

  static key(from: string, to: string, port: string): string {
    return `${from}\u0000${to}\u0000${port}`;
  }

  add(from: string, to: string, port: string): void {
    if (this.edges.size < this.maxEdges) this.edges.add(Baseline.key(from, to, port));
  }

  /** Learns every allowed observation (a learn-mode estate's normal traffic). */
  learn(observations: readonly FlowObservation[]): void {
    for (const o of observations)
      if (o.verdict === "allowed") this.add(o.from.name, o.to.name, o.port);
  }

  has(obs: FlowObservation): boolean {
    return this.edges.has(Baseline.key(obs.from.name, obs.to.name, obs.port));
  }

  get size(): number {
    return this.edges.size;
  }
}
