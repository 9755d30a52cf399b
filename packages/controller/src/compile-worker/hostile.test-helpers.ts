// Policy texts built to be expensive, and a probe of the API's responsiveness while one is sent.

/**
 * A few hundred KB that expand to `rules * scopes` rules: the rule list is written once under a
 * YAML anchor and every further scope refers to it (2,000 x 500 = 1,000,000 rules from ~180 KB).
 */
export function aliasBomb(rules = 2000, scopes = 500): string {
  const lines = ["scopes:", "  - name: s0", "    match: { env: s0 }", "    rules: &all"];
  for (let i = 0; i < rules; i++) {
    lines.push(
      `      - { from: { role: a${i} }, to: { role: b${i} }, services: [tcp/${1000 + i}] }`,
    );
  }
  for (let s = 1; s < scopes; s++) {
    lines.push(`  - name: s${s}`, `    match: { env: s${s} }`, "    rules: *all");
  }
  return `${lines.join("\n")}\n`;
}

/** `n` empty YAML documents (70 KB for 5,000). */
export function manyDocuments(n = 5000): string {
  return "---\nrules: []\n".repeat(n);
}

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

/**
 * Within every parser limit, but costly to compile: `workloads` declared workloads and `rules`
 * rules from any workload to one of them, so every workload's outbound chain holds every rule
 * (2,000 x 2,000 = 4,000,000 RuleSet entries from ~230 KB).
 */
export function compileBomb(workloads = 2000, rules = 2000): string {
  const lines = ["workloads:"];
  for (let i = 0; i < workloads; i++) {
    lines.push(
      `  - { name: w${i}, labels: { n: n${i} }, addresses: [10.${i >> 16}.${(i >> 8) & 255}.${i & 255}] }`,
    );
  }
  lines.push("rules:");
  for (let r = 0; r < rules; r++) {
    lines.push(
      `  - { name: to-${r}, from: any, to: { n: n${r % workloads} }, services: [tcp/${1000 + r}] }`,
    );
  }
  return `${lines.join("\n")}\n`;
}
