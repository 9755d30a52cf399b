// The conjunction of selectors in a normal form, for targets that write selectors out (k8s label
// selectors, AWS group keys). Concatenating requirements is correct but can say `app in (web) ∧
// app in (db)`, which no labels satisfy: an object with such a selector is dead. Per key, all
// requirements fold into the one that means the same:
//   in A ∧ in B ∧ notin N   -> in (A ∩ B) \ N           (empty: unsatisfiable)
//   notexists ∧ (in | exists) -> unsatisfiable;  notexists ∧ notin N -> notexists
//   exists ∧ notin N        -> exists, notin N        (notin alone also holds for an absent key)
// Keys come out sorted, values sorted, so equal conjunctions give equal selectors.

import type { LabelMatch, Selector } from "@microseg/core";

interface KeyReqs {
  in?: Set<string>;
  notin: Set<string>;
  exists: boolean;
  notexists: boolean;
}

/** All of `parts` (undefined parts match everything); undefined when no labels satisfy them. */
export function conjoin(...parts: (Selector | undefined)[]): Selector | undefined {
  const byKey = new Map<string, KeyReqs>();
  for (const m of parts.flatMap((p) => (p === undefined ? [] : p.match))) {
    const r = byKey.get(m.key) ?? { notin: new Set(), exists: false, notexists: false };
    byKey.set(m.key, r);
    if (m.op === "in") r.in = r.in === undefined ? new Set(m.values) : keep(r.in, m.values);
    else if (m.op === "notin") for (const v of m.values) r.notin.add(v);
    else if (m.op === "exists") r.exists = true;
    else r.notexists = true;
  }
  const match: LabelMatch[] = [];
  for (const key of [...byKey.keys()].sort(cmp)) {
    const folded = fold(key, byKey.get(key) as KeyReqs);
    if (folded === undefined) return undefined;
    match.push(...folded);
  }
  return { match };
}

function fold(key: string, r: KeyReqs): LabelMatch[] | undefined {
  if (r.in !== undefined) {
    const values = [...r.in].filter((v) => !r.notin.has(v)).sort(cmp);
    if (values.length === 0 || r.notexists) return undefined;
    return [{ key, op: "in", values }];
  }
  if (r.notexists) return r.exists ? undefined : [{ key, op: "notexists" }];
  const out: LabelMatch[] = [];
  if (r.exists) out.push({ key, op: "exists" });
  if (r.notin.size > 0) out.push({ key, op: "notin", values: [...r.notin].sort(cmp) });
  return out;
}

function keep(set: Set<string>, values: readonly string[]): Set<string> {
  return new Set(values.filter((v) => set.has(v)));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
