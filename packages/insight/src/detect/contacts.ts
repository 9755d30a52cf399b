// One source's suspicious contacts inside the detection windows: which (host, port) pairs it
// touched and when, indexed both ways so vertical (ports on one host) and horizontal (hosts on one
// port) counts stay cheap. Entries older than the window are pruned when a count is taken; the
// number of entries is capped, so a source can never grow without bound.

type Times = Map<string, number>;

export class SourceContacts {
  lastAt = 0;
  private readonly byHost = new Map<string, Times>();
  private readonly byPort = new Map<string, Times>();
  /** Hosts touched on spread services (file sharing, remote execution). */
  private readonly spread: Times = new Map();
  private size = 0;
  /** Lateral movement: weight of unexplained edges inside the window, and when it started. */
  lateralScore = 0;
  lateralSince = 0;

  constructor(private readonly maxContacts: number) {}

  /**
   * Records a contact; answers whether it is new inside `windowMs` (a repeat of a fresh contact
   * only refreshes its time). A source at its cap records nothing new.
   */
  record(host: string, port: string, at: number, windowMs: number): boolean {
    this.lastAt = Math.max(this.lastAt, at);
    const ports = this.byHost.get(host);
    const seen = ports?.get(port);
    if (seen !== undefined && at - seen <= windowMs) {
      // Both indexes hold the same time; a repeat that is not newer changes neither.
      if (at > seen) {
        ports?.set(port, at);
        this.byPort.get(port)?.set(host, at);
      }
      return false;
    }
    if (seen === undefined && this.size >= this.maxContacts) return false;
    if (seen === undefined) this.size++;
    setIn(this.byHost, host, port, at);
    setIn(this.byPort, port, host, at);
    return true;
  }

  recordSpread(host: string, at: number): void {
    if (this.spread.size < this.maxContacts)
      this.spread.set(host, Math.max(at, this.spread.get(host) ?? 0));
  }

  /** Distinct ports touched on the host since `since` (stale entries are pruned). */
  portsOn(host: string, since: number): number {
    return this.fresh(this.byHost, this.byPort, host, since);
  }

  /** Distinct hosts touched on the port since `since`. */
  hostsOn(port: string, since: number): number {
    return this.fresh(this.byPort, this.byHost, port, since);
  }

  /** The ports currently held for the host / hosts for the port (call after a count). */
  portsOf(host: string): string[] {
    return [...(this.byHost.get(host)?.keys() ?? [])];
  }

  hostsOf(port: string): string[] {
    return [...(this.byPort.get(port)?.keys() ?? [])];
  }

  spreadList(): string[] {
    return [...this.spread.keys()];
  }

  spreadHosts(since: number): number {
    for (const [h, t] of this.spread) if (t < since) this.spread.delete(h);
    return this.spread.size;
  }

  private fresh(index: Map<string, Times>, other: Map<string, Times>, k: string, since: number) {
    const times = index.get(k);
    if (times === undefined) return 0;
    for (const [v, t] of times) {
      if (t >= since) continue;
      times.delete(v);
      other.get(v)?.delete(k);
      this.size--;
    }
    return times.size;
  }
}

function setIn(map: Map<string, Times>, a: string, b: string, at: number) {
  let inner = map.get(a);
  if (inner === undefined) {
    inner = new Map();
    map.set(a, inner);
  }
  inner.set(b, at);
}
