// Exponential backoff with jitter for reconnecting to the controller: base * 2^n, capped, each
// delay drawn from [50%, 100%] of that so a fleet that lost its controller does not come back in
// lock step.

export interface Backoff {
  /** The delay before the next attempt (ms); grows with each call until reset(). */
  next(): number;
  reset(): void;
}

export interface BackoffOptions {
  readonly baseMs?: number;
  readonly maxMs?: number;
  /** Returns a number in [0, 1); injectable for tests. */
  readonly random?: () => number;
}

export function createBackoff(options: BackoffOptions = {}): Backoff {
  const base = options.baseMs ?? 500;
  const max = options.maxMs ?? 30_000;
  const random = options.random ?? Math.random;
  let attempt = 0;
  return {
    next() {
      const ceiling = Math.min(max, base * 2 ** Math.min(attempt, 30));
      attempt += 1;
      return Math.round(ceiling * (0.5 + random() * 0.5));
    },
    reset() {
      attempt = 0;
    },
  };
}

/** Resolves after `ms`, or early (without error) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal, unref = false): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    if (unref) timer.unref();
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * Cuts a backoff short when another channel to the controller got through: the status reports
 * and flow batches reach it every few seconds, so the policy long-poll need not sit out the rest
 * of a 30 s backoff after a controller restart (it would miss the next provision meanwhile).
 */
export class ContactHint {
  private controller = new AbortController();

  /** Aborts at the next contact(). */
  get next(): AbortSignal {
    return this.controller.signal;
  }

  /** The controller answered on some channel: ends every backoff waiting on `next`. */
  contact(): void {
    this.controller.abort();
    this.controller = new AbortController();
  }
}
