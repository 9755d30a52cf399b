// The workload inventory with a label index, so selector resolution looks at candidate workloads
// (those carrying a required key=value) instead of scanning the whole estate for every selector.

import { cidrsToRanges, type FamilyRanges } from "../addr/index.js";
import { getOrInsert } from "../collections.js";
import type { Selector, Workload } from "../model.js";

export class Inventory {
  readonly byName = new Map<string, Workload>();
  /** key -> value -> workload names */
  private readonly byLabel = new Map<string, Map<string, Set<string>>>();
  /** key -> workload names carrying it */
  private readonly byKey = new Map<string, Set<string>>();
  private readonly hosts = new Map<string, FamilyRanges>();

  constructor(workloads: readonly Workload[] = []) {
    for (const w of workloads) this.upsert(w);
  }

  get(name: string): Workload | undefined {
    return this.byName.get(name);
  }

  upsert(w: Workload): void {
    this.remove(w.name);
    this.byName.set(w.name, w);
    this.hosts.set(w.name, cidrsToRanges(w.addresses));
    for (const [k, v] of Object.entries(w.labels)) {
      bucket(this.byKey, k).add(w.name);
      const values = getOrInsert(this.byLabel, k, () => new Map<string, Set<string>>());
      bucket(values, v).add(w.name);
    }
  }

  remove(name: string): void {
    const old = this.byName.get(name);
    if (old === undefined) return;
    this.byName.delete(name);
    this.hosts.delete(name);
    for (const [k, v] of Object.entries(old.labels)) {
      this.byKey.get(k)?.delete(name);
      this.byLabel.get(k)?.get(v)?.delete(name);
    }
  }

  /** The workload's own addresses as normalized ranges (parsed once per upsert). */
  hostRanges(name: string): FamilyRanges {
    return this.hosts.get(name) ?? { v4: [], v6: [] };
  }

  /**
   * Names that may match all of the given selectors: the smallest index bucket any `in`/`exists`
   * requirement allows, or every workload when no requirement narrows. Callers still match fully.
   */
  candidates(selectors: readonly (Selector | undefined)[]): Iterable<string> {
    let best: Set<string>[] | undefined;
    let bestSize = Number.POSITIVE_INFINITY;
    for (const s of selectors) {
      for (const m of s?.match ?? []) {
        const sets = this.buckets(m.key, m.op, "values" in m ? m.values : []);
        if (sets === undefined) continue;
        let size = 0;
        for (const b of sets) size += b.size;
        if (size < bestSize) [best, bestSize] = [sets, size];
      }
    }
    // Buckets of one key hold disjoint workloads (one value per key), so no duplicates.
    return best === undefined ? this.byName.keys() : best.flatMap((b) => [...b]);
  }

  private buckets(key: string, op: string, values: readonly string[]): Set<string>[] | undefined {
    if (op === "exists") return [this.byKey.get(key) ?? new Set()];
    if (op !== "in") return undefined;
    const byValue = this.byLabel.get(key);
    return [...new Set(values)].map((v) => byValue?.get(v) ?? new Set<string>());
  }
}

function bucket<K>(map: Map<K, Set<string>>, key: K): Set<string> {
  return getOrInsert(map, key, () => new Set<string>());
}
