// Runs an async step for many items with at most `limit` in flight, in the items' order. A lab
// of fifty hosts must not start fifty processes at once on two cores: each one's own deadline
// (a host server's readiness, a tool's timeout) would then measure everybody's start-up.
// After a step fails no new one starts (those in flight finish), so nothing is started while
// the caller cleans up.
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  step: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < items.length && !failed) {
      const item = items[next++] as T;
      try {
        await step(item);
      } catch (err) {
        failed = true; // start nothing more: the caller is about to clean up
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
