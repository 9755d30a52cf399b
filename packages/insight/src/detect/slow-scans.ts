// The low-and-slow scan detector's memory: per source, its distinct failed contacts (host and
// port) inside slowScanWindowMs, newest last. A source holds at most slowScanContacts of them —
// the threshold itself: once it is full, every further new contact is "threshold reached" — and
// at most maxSlowSources sources are followed (least recently failed dropped first, to within a
// sweep). So memory is bounded by maxSlowSources x slowScanContacts entries, whatever the pace of
// the scan.
import { SweepLru } from "./sweep-lru.js";

type Contacts = Map<string, number>;

export interface SlowScanOptions {
  readonly slowScanContacts: number;
  readonly slowScanWindowMs: number;
  readonly maxSlowSources: number;
}

export class SlowScans {
  /** Least recently failed source first; a source's contacts oldest first. */
  private readonly sources: SweepLru<Contacts>;

  constructor(private readonly options: SlowScanOptions) {
    this.sources = new SweepLru(options.maxSlowSources);
  }

  /**
   * Records a failed contact of `source`; answers how many distinct ones it made within the
   * window (0 when this one is a repeat inside the window: nothing new to count).
   */
  record(source: string, host: string, port: string, at: number): number {
    const o = this.options;
    if (o.slowScanContacts <= 0) return 0;
    const contacts = this.sources.use(source, (): Contacts => new Map());
    prune(contacts, at - o.slowScanWindowMs);
    const key = `${host}\u0000${port}`;
    const seen = contacts.get(key);
    if (seen !== undefined) {
      // A repeat: it moves to the end only when it is newer than the time held.
      if (at > seen) {
        contacts.delete(key);
        contacts.set(key, at);
      }
      return 0;
    }
    contacts.set(key, at);
    if (contacts.size > o.slowScanContacts) {
      contacts.delete(contacts.keys().next().value as string);
    }
    return contacts.size;
  }

  /** The hosts and ports of the source's held contacts (for the alert's evidence). */
  contactsOf(source: string): { hosts: string[]; ports: string[] } {
    const hosts = new Set<string>();
    const ports = new Set<string>();
    for (const key of this.sources.peek(source)?.keys() ?? []) {
      const cut = key.indexOf("\u0000");
      hosts.add(key.slice(0, cut));
      ports.add(key.slice(cut + 1));
    }
    return { hosts: [...hosts], ports: [...ports] };
  }

  /** Drops contacts older than the window, and sources left with none. */
  sweep(now: number): void {
    const since = now - this.options.slowScanWindowMs;
    this.sources.sweep((contacts) => {
      prune(contacts, since);
      return contacts.size === 0;
    });
  }

  /** Contacts held, over every source (for tests and the benchmark). */
  size(): number {
    let n = 0;
    for (const contacts of this.sources.values()) n += contacts.size;
    return n;
  }
}

/** Contacts are kept oldest first (a refresh re-inserts): prune from the front. */
function prune(contacts: Contacts, since: number) {
  for (const [key, at] of contacts) {
    if (at >= since) return;
    contacts.delete(key);
  }
}
