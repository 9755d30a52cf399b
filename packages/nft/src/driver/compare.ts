// Differences between the table we expect and the one the kernel holds, as readable sentences.

import type { TableState } from "./table-state.js";

const MAX_LISTED = 10;

/** Structure only: chains, set declarations, rules (in order). */
export function compareStructure(expected: TableState, actual: TableState): string[] {
  const details: string[] = [];
  compareDecls("chain", expected.chains, actual.chains, details);
  compareDecls("set", expected.sets, actual.sets, details);
  const chains = new Set([...expected.rules.keys(), ...actual.rules.keys()]);
  for (const chain of chains) {
    compareRules(chain, expected.rules.get(chain) ?? [], actual.rules.get(chain) ?? [], details);
  }
  return details;
}

/** Set elements: expected (from the RuleSet) against the kernel's. */
export function compareElements(
  expected: ReadonlyMap<string, ReadonlySet<string>>,
  actual: ReadonlyMap<string, ReadonlySet<string>>,
): string[] {
  const details: string[] = [];
  for (const [name, want] of expected) {
    const have = actual.get(name);
    if (!have) continue; // reported as a missing set by compareStructure
    listed(
      `set ${name}: missing element`,
      [...want].filter((e) => !have.has(e)),
      details,
    );
    listed(
      `set ${name}: unexpected element`,
      [...have].filter((e) => !want.has(e)),
      details,
    );
  }
  return details;
}

function compareDecls(
  kind: string,
  expected: ReadonlyMap<string, string>,
  actual: ReadonlyMap<string, string>,
  details: string[],
): void {
  for (const [name, decl] of expected) {
    const got = actual.get(name);
    if (got === undefined) details.push(`${kind} ${name} is missing`);
    else if (got !== decl) details.push(`${kind} ${name} changed: ${got} (expected ${decl})`);
  }
  for (const name of actual.keys()) {
    if (!expected.has(name)) details.push(`unexpected ${kind} ${name}`);
  }
}

function compareRules(
  chain: string,
  expected: readonly string[],
  actual: readonly string[],
  details: string[],
): void {
  if (expected.length === actual.length && expected.every((r, i) => r === actual[i])) return;
  const missing = multisetMinus(expected, actual);
  const extra = multisetMinus(actual, expected);
  listed(`chain ${chain}: missing rule`, missing, details);
  listed(`chain ${chain}: unexpected rule`, extra, details);
  if (missing.length === 0 && extra.length === 0) details.push(`chain ${chain}: rules reordered`);
}

function multisetMinus(a: readonly string[], b: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const x of b) counts.set(x, (counts.get(x) ?? 0) + 1);
  return a.filter((x) => {
    const n = counts.get(x) ?? 0;
    if (n > 0) counts.set(x, n - 1);
    return n === 0;
  });
}

function listed(prefix: string, items: readonly string[], details: string[]): void {
  for (const item of items.slice(0, MAX_LISTED)) details.push(`${prefix} ${item}`);
  if (items.length > MAX_LISTED)
    details.push(`${prefix}: ... and ${items.length - MAX_LISTED} more`);
}
