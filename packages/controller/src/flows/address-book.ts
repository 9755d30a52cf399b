// Which workload owns an address, now and in the recent past. Agents report the remote end of a
// flow as an address; the flow graph names workloads. The book is rebuilt from the hub's
// inventory when a workload's addresses change, and remembers for each address that changed
// owner who owned it before and until when, so a flow is resolved with the addresses the
// workloads had at the flow's time (an agent may deliver a batch minutes or hours late).
//
// A change is dated when the book notices it: sync() runs before each batch, so a change made
// between two batches is dated at the second one. History is small: per address the last
// HISTORY_PER_ADDRESS changes, none older than HISTORY_MS.

import { formatAddress, parseAddress, type Workload } from "@microseg/core";

export interface FlowEndRef {
  readonly name: string;
  readonly kind: "workload" | "address";
  /** A managed workload reports its own flows (it has an agent); addresses never do. */
  readonly managed: boolean;
}

interface OwnerChange {
  /** When the change was seen (ms). */
  readonly at: number;
  /** Who owned the address before it (undefined: nobody). */
  readonly before: FlowEndRef | undefined;
}

interface Resolved {
  /** The address as an end of its own (when nobody owned it at the flow's time). */
  readonly self: FlowEndRef;
  readonly current: FlowEndRef;
  readonly changes: readonly OwnerChange[] | undefined;
}

export const HISTORY_MS = 24 * 3600_000;
export const HISTORY_PER_ADDRESS = 8;
const MEMO_LIMIT = 200_000;

export class AddressBook {
  private known = new Map<string, Workload>();
  private owners = new Map<string, FlowEndRef>();
  private ends = new Map<string, FlowEndRef>();
  private readonly history = new Map<string, OwnerChange[]>();
  /** Raw address text -> its resolution (cleared on every change). */
  private memo = new Map<string, Resolved>();
  /** Bumped whenever any workload changed (labels, mode, addresses): explain caches key on it. */
  version = 0;

  /** Brings the book up to `workloads` (the inventory); `now` dates the changes it finds. */
  sync(workloads: readonly Workload[], now: number): void {
    if (!this.changed(workloads)) return;
    const first = this.version === 0; // the first load is what always was, not a change
    this.version++;
    const ends = new Map<string, FlowEndRef>();
    const owners = new Map<string, FlowEndRef>();
    const sorted = [...workloads].sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const w of sorted) {
      const end = { name: w.name, kind: "workload", managed: w.managed } as const;
      ends.set(w.name, end);
      for (const a of w.addresses) {
        const key = canonical(a) ?? a;
        if (!owners.has(key)) owners.set(key, end);
      }
    }
    for (const key of new Set([...this.owners.keys(), ...owners.keys()])) {
      const before = this.owners.get(key);
      if (!first && before?.name !== owners.get(key)?.name) this.remember(key, before, now);
    }
    this.known = new Map(workloads.map((w) => [w.name, w]));
    this.owners = owners;
    this.ends = ends;
    this.memo = new Map();
  }

  /** The end a workload's agent reports as `local` (its own workload, even when unknown here). */
  workloadEnd(name: string): FlowEndRef {
    return this.ends.get(name) ?? { name, kind: "workload", managed: true };
  }

  /** The owner of `address` at time `t`, or the address itself; undefined: not an IP address. */
  resolve(address: string, t: number): FlowEndRef | undefined {
    let r = this.memo.get(address);
    if (r === undefined) {
      const key = canonical(address);
      if (key === undefined) return undefined;
      const self = { name: key, kind: "address", managed: false } as const;
      r = { self, current: this.owners.get(key) ?? self, changes: this.history.get(key) };
      if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
      this.memo.set(address, r);
    }
    if (r.changes === undefined) return r.current;
    return ownerAt(r, t);
  }

  private changed(workloads: readonly Workload[]): boolean {
    if (workloads.length !== this.known.size) return true;
    for (const w of workloads) if (this.known.get(w.name) !== w) return true;
    return false;
  }

  private remember(key: string, before: FlowEndRef | undefined, now: number): void {
    const list = (this.history.get(key) ?? []).filter((c) => c.at > now - HISTORY_MS);
    list.push({ at: now, before });
    this.history.set(key, list.slice(-HISTORY_PER_ADDRESS));
  }
}

/** The owner before the first change after t; the current owner when none came after t. */
function ownerAt(r: Resolved, t: number): FlowEndRef {
  for (const c of r.changes ?? []) {
    if (c.at > t) return c.before ?? r.self;
  }
  return r.current;
}

function canonical(address: string): string | undefined {
  const p = parseAddress(address);
  return p === undefined ? undefined : formatAddress(p.value, p.family);
}
