// A map kept in least-recently-used order to within a sweep period, bounded: use() moves a key to
// the end at most once per period (a move is a delete and an insert in a map of up to `max`
// entries, and the detectors use a source at every contact), and a new key past `max` drops the
// least recently used one. The engine's per-source contacts and the slow-scan detector's sources.

interface Held<V> {
  readonly value: V;
  /** The period in which the key last moved to the end. */
  moved: number;
}

export class SweepLru<V> {
  private readonly held = new Map<string, Held<V>>();
  private period = 0;

  constructor(private readonly max: number) {}

  /** The key's value (created when absent), marked used. */
  use(key: string, create: () => V): V {
    const h = this.held.get(key);
    if (h !== undefined) {
      if (h.moved !== this.period) {
        h.moved = this.period;
        this.held.delete(key);
        this.held.set(key, h);
      }
      return h.value;
    }
    if (this.held.size >= this.max) this.held.delete(this.held.keys().next().value as string);
    const value = create();
    this.held.set(key, { value, moved: this.period });
    return value;
  }

  /** The key's value, if held; not marked used. */
  peek(key: string): V | undefined {
    return this.held.get(key)?.value;
  }

  /** Starts a new period (call at each sweep), then drops every entry `drop` says to. */
  sweep(drop: (value: V) => boolean): void {
    this.period++;
    for (const [k, h] of this.held) if (drop(h.value)) this.held.delete(k);
  }

  *values(): Generator<V> {
    for (const h of this.held.values()) yield h.value;
  }

  get size(): number {
    return this.held.size;
  }
}
