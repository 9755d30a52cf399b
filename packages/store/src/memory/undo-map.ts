// A Map whose writes can be undone: every set/delete pushes its inverse onto a shared undo log
// while a unit of work is open. Rollback replays the log backwards, so a failed unit costs only
// what it wrote (no copy of the whole state per write).

export type UndoLog = (() => void)[];

export class UndoMap<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly log: () => UndoLog | undefined) {}

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  values(): V[] {
    return [...this.map.values()];
  }

  entries(): [K, V][] {
    return [...this.map.entries()];
  }

  set(key: K, value: V): void {
    this.remember(key);
    this.map.set(key, value);
  }

  delete(key: K): boolean {
    if (!this.map.has(key)) return false;
    this.remember(key);
    this.map.delete(key);
    return true;
  }

  private remember(key: K): void {
    const log = this.log();
    if (log === undefined) throw new Error("memory store: write outside a unit of work");
    if (this.map.has(key)) {
      const old = this.map.get(key) as V;
      log.push(() => this.map.set(key, old));
    } else {
      log.push(() => this.map.delete(key));
    }
  }
}
