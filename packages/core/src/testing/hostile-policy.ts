// Policy texts built to be expensive, for the tests and benchmarks of the parser's limits and the
// controller's compile budgets. Each is what a careless or hostile author could send.

/** A rule as the alias bombs repeat it (one line of a scope's `rules:` list). */
export const BOMB_RULE = "      - { from: { role: web }, to: { role: db }, services: [tcp/5432] }";

/**
 * `rules` rules written once under a YAML anchor and aliased by `scopes` more scopes: 2,000 x 499
 * is a 166 KB file that expands to 1,000,000 rules; with an invalid `rule` (tcp/0), 2,820 x 499
 * is the 215 KB shape that once ended in a stack overflow.
 */
export function aliasBomb(rules: number, scopes: number, rule = BOMB_RULE): string {
  const lines = ["scopes:", "  - name: s0", "    match: { env: prod }", "    rules: &r"];
  for (let i = 0; i < rules; i++) lines.push(rule);
  for (let i = 1; i <= scopes; i++) {
    lines.push(`  - { name: s${i}, match: { env: prod }, rules: *r }`);
  }
  return `${lines.join("\n")}\n`;
}

/** `n` YAML documents of one empty rule list (70 KB for 5,000). */
export function manyDocuments(n: number): string {
  return "rules: []\n---\n".repeat(n);
}

/**
 * Within every parser limit, but costly to compile: `workloads` declared workloads and `rules`
 * rules from any workload to one of them, so every workload's outbound chain holds every rule
 * (2,000 x 2,000 = 4,000,000 RuleSet entries from ~270 KB).
 */
export function compileBomb(workloads = 2000, rules = 2000): string {
  const lines = ["workloads:"];
  for (let i = 0; i < workloads; i++) {
    const address = `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`;
    lines.push(`  - { name: w${i}, labels: { n: n${i} }, addresses: [${address}] }`);
  }
  lines.push("rules:");
  for (let r = 0; r < rules; r++) {
    const to = `n${r % workloads}`;
    lines.push(`  - { name: to-${r}, from: any, to: { n: ${to} }, services: [tcp/${1000 + r}] }`);
  }
  return `${lines.join("\n")}\n`;
}
