// A probe of the API's responsiveness while an expensive policy text is sent; the texts are in
// core's testing/hostile-policy.ts.
export {
  aliasBomb,
  compileBomb,
  manyDocuments,
} from "../../../core/src/testing/hostile-policy.js";

/**
 * Calls `probe` again and again (every 20 ms) until `pending` settles; answers each call's
 * latency in ms. A probe that cannot start while the API's thread is busy shows as a long one.
 */
export async function latenciesWhile(
  pending: Promise<unknown>,
  probe: () => Promise<void>,
): Promise<number[]> {
  let done = false;
  void pending.finally(() => {
    done = true;
  });
  const out: number[] = [];
  while (!done) {
    const t0 = performance.now();
    await probe();
    out.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 20));
  }
  return out;
}
