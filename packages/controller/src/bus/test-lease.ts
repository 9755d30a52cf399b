// A lease board shared by in-process replicas in tests: the first replica to ask for a lease
// holds it; when it gives the lease up (release: its stop runs first) or is declared dead
// (crashHolder: its stop never runs), the next replica waiting for that name takes it.
import type { LeaseStart, LeaseStop, Leases } from "./leases.js";

interface Candidate {
  readonly owner: BoardLeases;
  readonly start: LeaseStart;
  stop?: Promise<LeaseStop | undefined>;
}

export class TestLeaseBoard {
  private readonly queues = new Map<string, Candidate[]>();

  leases(): BoardLeases {
    return new BoardLeases(this);
  }

  join(name: string, c: Candidate): void {
    const q = this.queues.get(name) ?? [];
    this.queues.set(name, q);
    q.push(c);
    if (q.length === 1) grant(c);
  }

  /** Takes the owner off every queue; a lease it held goes to the next (after its stop, if clean). */
  async leave(owner: BoardLeases, clean: boolean): Promise<void> {
    for (const q of this.queues.values()) {
      const held = q[0]?.owner === owner ? q[0] : undefined;
      for (let i = q.length - 1; i >= 0; i--) if (q[i]?.owner === owner) q.splice(i, 1);
      if (held === undefined) continue;
      if (clean) await (await held.stop)?.();
      const next = q[0];
      if (next !== undefined) grant(next);
    }
  }

  /** The holder of `name` dies: its stop never runs, the next replica takes the lease. */
  async crashHolder(name = "detection"): Promise<void> {
    const holder = this.queues.get(name)?.[0];
    if (holder === undefined) throw new Error(`nobody holds ${name}`);
    await this.leave(holder.owner, false);
  }
}

function grant(c: Candidate): void {
  c.stop = c.start().catch(() => undefined);
}

export class BoardLeases implements Leases {
  constructor(private readonly board: TestLeaseBoard) {}

  run(name: string, start: LeaseStart): void {
    this.board.join(name, { owner: this, start });
  }

  release(): Promise<void> {
    return this.board.leave(this, true);
  }
}
