// One store transaction for many agents' writes, without letting one write fail the others:
// the group is applied in one call; when that call fails, each item is applied alone, so only
// an item that still fails rejects (its agent gets an error and retries) and every other one
// resolves with its own answer. Used by the flow group commit and the status batcher.
//
// Contract of `many`: atomic (a failed call applied nothing) and one answer per item, in order.

export interface Pending<I, R> {
  readonly item: I;
  readonly resolve: (r: R) => void;
  readonly reject: (e: unknown) => void;
}

export async function applyIsolated<I, R>(
  group: readonly Pending<I, R>[],
  many: (items: I[]) => Promise<readonly R[]>,
): Promise<void> {
  if (group.length === 0) return;
  let answers: readonly R[];
  try {
    answers = await many(group.map((p) => p.item));
  } catch (err) {
    if (group.length === 1) {
      group[0]?.reject(err);
      return;
    }
    // In order, one transaction each: the items of one agent keep their order.
    for (const p of group) await applyIsolated([p], many);
    return;
  }
  group.forEach((p, i) => {
    const a = answers[i];
    if (i < answers.length) p.resolve(a as R);
    else p.reject(new Error(`the store answered ${answers.length} results for ${group.length}`));
  });
}
