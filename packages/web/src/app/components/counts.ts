// Small counting helpers for the dashboard's tallies.

/** How many items fall under each key, keys in first-seen order. */
export function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const out = new Map<string, number>();
  for (const item of items) out.set(key(item), (out.get(key(item)) ?? 0) + 1);
  return out;
}

/** Sums `weight` per hour (ISO hour, UTC) over the last `hours` hours ending at `now`. */
export function perHour<T>(
  items: readonly T[],
  at: (item: T) => string,
  weight: (item: T) => number,
  now: Date,
  hours: number,
): { hour: string; total: number }[] {
  const end = Math.floor(now.getTime() / 3_600_000);
  const buckets = Array.from({ length: hours }, (_, i) => ({
    hour: new Date((end - hours + 1 + i) * 3_600_000).toISOString().slice(0, 13),
    total: 0,
  }));
  for (const item of items) {
    const index = Math.floor(Date.parse(at(item)) / 3_600_000) - (end - hours + 1);
    const bucket = buckets[index];
    if (bucket !== undefined) bucket.total += weight(item);
  }
  return buckets;
}
