// Repeated log lines, held back: a failing store or a misbehaving agent must not write the same
// line thousands of times a second. The first line of a key is logged; repeats within
// `intervalMs` are only counted, and the next line logged for the key says how many were held.

export interface Admission {
  /** Log this one. */
  readonly log: boolean;
  /** Lines of this key held back since the last one logged. */
  readonly suppressed: number;
}

interface Entry {
  at: number;
  suppressed: number;
}

export class LogLimiter {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly intervalMs = 60_000,
    /** Keys remembered at most; the oldest go first (a flood of distinct keys stays bounded). */
    private readonly maxKeys = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  admit(key: string): Admission {
    const t = this.now();
    const e = this.entries.get(key);
    if (e !== undefined && t - e.at < this.intervalMs) {
      e.suppressed++;
      return { log: false, suppressed: e.suppressed };
    }
    const suppressed = e?.suppressed ?? 0;
    this.entries.delete(key);
    if (this.entries.size >= this.maxKeys) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { at: t, suppressed: 0 });
    return { log: true, suppressed };
  }
}

/** The first line of an error's message, cut short: a reason for a log line, never a stack. */
export function shortReason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const line = text.split("\n", 1)[0] ?? "";
  return line.length <= 200 ? line : `${line.slice(0, 197)}...`;
}
