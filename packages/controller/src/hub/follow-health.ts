// Whether this replica's memory (policy hub, credential cache) follows the shared store. A
// replica on PostgreSQL learns other replicas' changes only through the change stream
// (change-follower.ts); when it cannot read it (database away, connections hanging) it may hold
// an old policy. It must then serve nothing from memory: agent policy requests and /readyz answer
// 503 MSEG_CONTROLLER_NOT_READY with problem(), so agents move to a replica that follows: at
// once when a read fails, after STALE_AFTER_MS without a successful one when reads hang.
// On a store of its own (SQLite, memory) this replica makes every change itself: never stale.

/** No successful read of the change stream for this long (15 follower intervals) is stale. */
export const STALE_AFTER_MS = 3000;

export class FollowHealth {
  private lastOk: number;
  private failing = false;

  constructor(
    private readonly shared: boolean,
    private readonly staleAfterMs = STALE_AFTER_MS,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.lastOk = now();
  }

  /** The follower has just read the stream up to its head. */
  ok(): void {
    this.lastOk = this.now();
    this.failing = false;
  }

  /** A read of the stream failed: stale at once, until a read succeeds (a hang: after the bound). */
  failed(): void {
    this.failing = true;
  }

  /** Why this replica's memory may be stale, or undefined while it follows. */
  problem(): string | undefined {
    if (!this.shared) return undefined;
    if (this.failing) {
      return "this replica cannot read the store's change stream (the database is unreachable from it); another replica serves";
    }
    const ms = this.now() - this.lastOk;
    if (ms <= this.staleAfterMs) return undefined;
    return `this replica has not read the store's change stream for ${Math.round(ms)} ms (the database is unreachable from it); another replica serves`;
  }
}
