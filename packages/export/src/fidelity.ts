// Collects fidelity entries; one entry per distinct (severity, what, why, instead), rule ids merged.

import type { FidelityEntry, FidelitySeverity } from "./types.js";

const ORDER: Record<FidelitySeverity, number> = { dropped: 0, approximated: 1, exact: 2 };

export class FidelityLog {
  private readonly byKey = new Map<string, { entry: FidelityEntry; ids: Set<string> }>();

  add(
    severity: FidelitySeverity,
    what: string,
    why: string,
    instead: string,
    ruleIds: readonly string[] = [],
  ): void {
    const key = `${severity}\u0000${what}\u0000${why}\u0000${instead}`;
    const found = this.byKey.get(key);
    if (found !== undefined) {
      for (const id of ruleIds) found.ids.add(id);
      return;
    }
    this.byKey.set(key, {
      entry: { severity, what, why, instead, ruleIds: [] },
      ids: new Set(ruleIds),
    });
  }

  /** Worst first (dropped, approximated, exact), then by `what`; stable for golden files. */
  entries(): FidelityEntry[] {
    return [...this.byKey.values()]
      .map(({ entry, ids }) => ({ ...entry, ruleIds: [...ids].sort() }))
      .sort(
        (a, b) =>
          ORDER[a.severity] - ORDER[b.severity] ||
          cmp(a.what, b.what) ||
          cmp(a.why, b.why) ||
          cmp(a.instead, b.instead),
      );
  }

  /** True when nothing is approximated or dropped. */
  isExact(): boolean {
    return [...this.byKey.values()].every(({ entry }) => entry.severity === "exact");
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One line per entry, for humans (stderr). */
export function formatFidelity(entries: readonly FidelityEntry[]): string[] {
  return entries.map((e) => {
    const rules = e.ruleIds.length > 0 ? ` [rules: ${e.ruleIds.join(", ")}]` : "";
    return `${e.severity.padEnd(12)} ${e.what}: ${e.why}; instead: ${e.instead}${rules}`;
  });
}
