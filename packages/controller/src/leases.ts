// Singleton jobs among controller replicas: a job (flow retention, audit anchors, enforcement-gap
// checks, detection on the bus) runs on the replica that holds its lease in the store
// (store/src/engine/leases.ts), and moves to another replica when that one dies.
//
//   every RENEW_MS:  store.leases.acquire(name, me, TTL_MS)
//     mine, not running  -> start()            (the job's stop function is kept)
//     mine, running      -> (renewed)
//     another's, running -> stop()             (it took over after we missed renewals)
//     the store fails    -> stop() once the lease we last renewed may have expired
//
// A replica that dies holds its leases until they expire (TTL_MS); one that shuts down cleanly
// releases them, so another takes over at its next renewal. A job stops before its lease can
// expire (a margin of one renewal interval), so two replicas never run it at once while their
// clocks agree to within that margin.
//
// On a store that is not shared (SQLite, memory) this process is the only one: run() starts the
// job at once and never touches the store.

import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { LeaseRepo } from "@microseg/store";
import type { Logger } from "pino";

/** What a job's start answers: how to stop it (awaited before the lease is given up). */
export type StopJob = () => void | Promise<void>;
export type StartJob = () => StopJob | Promise<StopJob>;

export interface LeaseTimings {
  /** How long a taken or renewed lease lasts without renewal. */
  readonly ttlMs: number;
  /** How often the holder renews and the others try to take it. */
  readonly renewMs: number;
}

export const DEFAULT_LEASE_TIMINGS: LeaseTimings = { ttlMs: 15_000, renewMs: 3_000 };

interface Job {
  readonly name: string;
  readonly start: StartJob;
  stop?: StopJob;
  /** Local monotonic time (ms) until which our last renewal is surely valid. */
  validUntil: number;
  timer?: NodeJS.Timeout;
  /** The turn in progress (so close() waits for a start or stop under way). */
  turn?: Promise<void>;
}

/** A name for this process in lease rows: host, pid and a random suffix (pids repeat). */
export function holderName(): string {
  return `${hostname()}/${process.pid}/${randomBytes(3).toString("hex")}`;
}

export class Leases {
  /** This replica's name in the lease rows. */
  readonly holder = holderName();
  private readonly jobs = new Map<string, Job>();
  private closed = false;

  constructor(
    private readonly store: LeaseRepo,
    /** Other processes share the store: jobs run only under their lease. */
    private readonly shared: boolean,
    private readonly log: Logger,
    private readonly timings: LeaseTimings = DEFAULT_LEASE_TIMINGS,
  ) {}

  /** Runs `start` whenever this replica holds the lease `name`, and its stop when it loses it. */
  run(name: string, start: StartJob): void {
    if (this.closed) throw new Error("leases are closed");
    if (this.jobs.has(name)) throw new Error(`a job already runs under the lease "${name}"`);
    const job: Job = { name, start, validUntil: 0 };
    this.jobs.set(name, job);
    if (!this.shared) {
      job.turn = this.begin(job);
      return;
    }
    const tick = () => {
      job.turn = this.turn(job).finally(() => {
        if (!this.closed) job.timer = setTimeout(tick, this.timings.renewMs).unref();
      });
    };
    tick();
  }

  /** Every job under a lease here, and whether this replica runs it now (metrics). */
  states(): { name: string; held: boolean }[] {
    return [...this.jobs.values()].map((j) => ({ name: j.name, held: j.stop !== undefined }));
  }

  /** Stops every job this replica runs and releases its leases, so others take over at once. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const job of this.jobs.values()) {
      clearTimeout(job.timer);
      await job.turn;
      if (job.stop === undefined) continue;
      await this.end(job, "shutdown");
      if (this.shared) {
        await this.store.release(job.name, this.holder).catch((err: unknown) => {
          this.log.warn({ err, lease: job.name }, "could not release a lease; it expires");
        });
      }
    }
  }

  private async turn(job: Job): Promise<void> {
    const asked = performance.now();
    try {
      // A store that hangs counts as failing: the job must stop before the lease can expire.
      const lease = await within(
        this.store.acquire(job.name, this.holder, this.timings.ttlMs),
        this.timings.renewMs,
      );
      if (lease.holder !== this.holder) {
        if (job.stop !== undefined) await this.end(job, `taken by ${lease.holder}`);
        return;
      }
      // Counted from when we asked: the row's expiry is at least this far away.
      job.validUntil = asked + this.timings.ttlMs - this.timings.renewMs;
      if (job.stop === undefined && !this.closed) {
        this.log.info({ lease: job.name, epoch: lease.epoch }, "lease taken; job starting");
        await this.begin(job);
      }
    } catch (err) {
      this.log.warn({ err, lease: job.name }, "lease renewal failed");
      if (job.stop !== undefined && performance.now() >= job.validUntil) {
        await this.end(job, "renewal failed");
      }
    }
  }

  private async begin(job: Job): Promise<void> {
    try {
      job.stop = await job.start();
    } catch (err) {
      this.log.error({ err, lease: job.name }, "a singleton job failed to start");
    }
  }

  private async end(job: Job, why: string): Promise<void> {
    const stop = job.stop;
    job.stop = undefined;
    this.log.info({ lease: job.name, why }, "job stopping");
    try {
      await stop?.();
    } catch (err) {
      this.log.error({ err, lease: job.name }, "a singleton job failed to stop");
    }
  }
}

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from the store in ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
