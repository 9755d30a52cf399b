// The low-and-slow scan detector's memory: per source, its distinct failed contacts (host and
// port) inside slowScanWindowMs, newest last. A source holds at most slowScanContacts of them —
// the threshold itself: once it is full, every further new contact is "threshold reached" — and
// at most maxSlowSources sources are followed (least recently failed dropped first). So memory
// is bounded by maxSlowSources x slowScanContacts entries, whatever the pace of the scan.

type Contacts = Map<string, number>;

export interface SlowScanOptions {
  readonly slowScanContacts: number;
  readonly slowScanWindowMs: number;
  readonly maxSlowSources: number;
}

export class SlowScans {
  /** Least recently failed source first; a source's contacts oldest first. */
  private readonly sources = new Map<string, Contacts>();

  constructor(private readonly options: SlowScanOptions) {}

  /**
   * Records a failed contact of `source`; answers how many distinct ones it made within the
   * window (0 when this one is a repeat inside the window: nothing new to count).
   */
  record(source: string, host: string, port: string, at: number): number {
    const o = this.options;
    if (o.slowScanContacts <= 0) return 0;
    let contacts = this.sources.get(source);
    if (contacts === undefined) {
      contacts = new Map();
      if (this.sources.size >= o.maxSlowSources) {
        const oldest = this.sources.keys().next().value as string;
        this.sources.delete(oldest);
      }
    } else this.sources.delete(source);
    this.sources.set(source, contacts);
    prune(contacts, at - o.slowScanWindowMs);
    const key = `${host}\u0000${port}`;
    const seen = contacts.get(key);
    contacts.delete(key);
    contacts.set(key, Math.max(seen ?? at, at));
    if (seen !== undefined) return 0;
    if (contacts.size > o.slowScanContacts) {
      contacts.delete(contacts.keys().next().value as string);
    }
    return contacts.size;
  }

  /** The hosts and ports of the source's held contacts (for the alert's evidence). */
  contactsOf(source: string): { hosts: string[]; ports: string[] } {
    const hosts = new Set<string>();
    const ports = new Set<string>();
    for (const key of this.sources.get(source)?.keys() ?? []) {
      const cut = key.indexOf("\u0000");
      hosts.add(key.slice(0, cut));
      ports.add(key.slice(cut + 1));
    }
    return { hosts: [...hosts], ports: [...ports] };
  }

  /** Drops contacts older than the window, and sources left with none. */
  sweep(now: number): void {
    const since = now - this.options.slowScanWindowMs;
    for (const [source, contacts] of this.sources) {
      prune(contacts, since);
      if (contacts.size === 0) this.sources.delete(source);
    }
  }

  /** Contacts held, over every source (for tests and the benchmark). */
  size(): number {
    let n = 0;
    for (const c of this.sources.values()) n += c.size;
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
