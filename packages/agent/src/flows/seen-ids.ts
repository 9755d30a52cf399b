// The conntrack entries the feed has reported as NEW, by conntrackKey() (the conntrack id and
// the ports: "ids" below), so a table dump after lost events re-reports only the entries
// whose NEW event never arrived (conntrack-feed.ts).
//
// Bounded: an id leaves when its DESTROY event arrives, when it is older than `maxAgeMs`
// (default 3 minutes: a UDP entry lives ~30 s, a TCP TIME_WAIT ~120 s, so a connection whose NEW
// was lost has been dumped by then; every dump refreshes the ids it lists), and the oldest leave
// first past `maxIds`. A Map keeps
// insertion order, so pruning walks from the oldest and stops at the first young one.
//
// An id recovered from a dump is marked: when its NEW event arrives after all (it was still in
// the socket buffer while the dump ran), the event is a duplicate — noteNew() says so and the
// feed takes back its recovery.

export interface SeenIdsOptions {
  readonly maxAgeMs?: number;
  readonly maxIds?: number;
}

export const DEFAULT_SEEN_MAX_AGE_MS = 3 * 60_000;
export const DEFAULT_SEEN_MAX_IDS = 1_000_000;

interface Seen {
  readonly atMs: number;
  readonly recovered: boolean;
}

export class SeenIds {
  private readonly ids = new Map<number, Seen>();
  private readonly maxAgeMs: number;
  private readonly maxIds: number;

  constructor(o: SeenIdsOptions = {}) {
    this.maxAgeMs = o.maxAgeMs ?? DEFAULT_SEEN_MAX_AGE_MS;
    this.maxIds = o.maxIds ?? DEFAULT_SEEN_MAX_IDS;
  }

  get size(): number {
    return this.ids.size;
  }

  has(id: number): boolean {
    return this.ids.has(id);
  }

  /** A dump lists `id`: true when it is known (and then refreshed, the entry still lives). */
  touch(id: number, nowMs: number): boolean {
    const prior = this.ids.get(id);
    if (prior) this.insert(id, nowMs, prior.recovered);
    return prior !== undefined;
  }

  /**
   * A NEW event for `id`. "duplicate" when the id was already recovered from a dump (the event
   * must not be reported twice), else "new".
   */
  noteNew(id: number, nowMs: number): "new" | "duplicate" {
    const prior = this.ids.get(id);
    if (prior?.recovered) {
      this.ids.set(id, { atMs: prior.atMs, recovered: false });
      return "duplicate";
    }
    this.insert(id, nowMs, false);
    return "new";
  }

  /**
   * A dump entry: true when the id was unseen (its NEW was lost) and is now recovered. A seen
   * id is refreshed: the entry still lives, so a later dump must not take it for a lost one.
   */
  recover(id: number, nowMs: number): boolean {
    const prior = this.ids.get(id);
    this.insert(id, nowMs, prior ? prior.recovered : true);
    return prior === undefined;
  }

  /** The entry is gone (DESTROY): its id can no longer appear in a dump. */
  forget(id: number): void {
    this.ids.delete(id);
  }

  /** Drops ids older than maxAgeMs. */
  prune(nowMs: number): void {
    for (const [id, seen] of this.ids) {
      if (nowMs - seen.atMs <= this.maxAgeMs) return;
      this.ids.delete(id);
    }
  }

  private insert(id: number, nowMs: number, recovered: boolean): void {
    this.ids.delete(id); // re-inserted at the young end
    this.ids.set(id, { atMs: nowMs, recovered });
    if (this.ids.size > this.maxIds) {
      const oldest = this.ids.keys().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
  }
}
