// The live feed of resolved flows: after each batch is committed to the store, its observations
// go to every subscriber (the detection engine, a live map). Subscribers are called in order,
// synchronously, after the agent's batch is durable; one that throws is logged and the others
// still run. Keep listeners quick: they run on the ingest path.
//
//   const stop = ctx.flows.subscribe((observations, now) => engine.observe(observations, now));
//   ...
//   stop();

import type { FlowObservation } from "@microseg/insight";
import type { Logger } from "pino";

/** `now`: the controller's clock when the batch was applied (ms since the epoch). */
export type FlowListener = (observations: readonly FlowObservation[], now: number) => void;

export class FlowFeed {
  private readonly listeners = new Set<FlowListener>();

  constructor(private readonly log?: Logger) {}

  /** Calls `listener` with the observations of every applied batch; returns the unsubscribe. */
  subscribe(listener: FlowListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Whether anyone listens (the ingest builds observations only then). */
  get listening(): boolean {
    return this.listeners.size > 0;
  }

  publish(observations: readonly FlowObservation[], now: number): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(observations, now);
      } catch (err) {
        this.log?.error({ err }, "a flow listener failed");
      }
    }
  }
}
