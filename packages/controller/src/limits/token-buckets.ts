// Token buckets by key (an agent id, a client address): `burst` tokens, refilled at `perSecond`.
// A request goes ahead while its key holds at least one token and then pays its cost, which may
// take the balance below zero (a flow batch's size is known only after it was read); the key
// waits the debt off. So a quota can refuse before reading a body, and one request overshoots
// it by at most its own cost.
//
// Memory is bounded: at most `maxKeys` keys, the least recently used forgotten first (a
// forgotten key starts again with a full bucket, so forgetting never refuses anyone).

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly maxKeys = 100_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** 0 when `key` may go ahead now, else whole seconds until it may (for Retry-After). */
  waitSeconds(key: string): number {
    const b = this.buckets.get(key);
    if (b === undefined) return 0;
    const tokens = this.refilled(b, this.now());
    if (tokens >= 1) return 0;
    return Math.max(1, Math.ceil((1 - tokens) / this.perSecond));
  }

  /** Pays `cost` tokens for `key` (the balance may go below zero). */
  take(key: string, cost: number): void {
    const t = this.now();
    const b = this.buckets.get(key);
    const tokens = b === undefined ? this.burst : this.refilled(b, t);
    // Re-inserted: Map order is the recency order eviction follows.
    this.buckets.delete(key);
    if (this.buckets.size >= this.maxKeys) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
    this.buckets.set(key, { tokens: tokens - cost, at: t });
  }

  /** Keys currently remembered (tests). */
  get size(): number {
    return this.buckets.size;
  }

  private refilled(b: Bucket, t: number): number {
    return Math.min(this.burst, b.tokens + ((t - b.at) / 1000) * this.perSecond);
  }
}
