// Leases: which replica runs a singleton job. `run(name, start)` calls `start` when this replica
// takes the lease named `name`; the stop that `start` answered runs when it loses the lease or
// shuts down. `release()` gives up every lease this replica holds (its stops run).
//
// LocalLeases is the single-process answer: it always holds every lease (a controller on SQLite
// or memory is the only replica there is).

export type LeaseStop = () => Promise<void>;
export type LeaseStart = () => Promise<LeaseStop>;

export interface Leases {
  run(name: string, start: LeaseStart): void;
  release(): Promise<void>;
}

export class LocalLeases implements Leases {
  private readonly held: Promise<LeaseStop | undefined>[] = [];

  run(_name: string, start: LeaseStart): void {
    this.held.push(start().catch(() => undefined));
  }

  async release(): Promise<void> {
    for (const stop of await Promise.all(this.held.splice(0))) await stop?.();
  }
}
