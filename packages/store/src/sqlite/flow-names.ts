// The dictionary behind flow edge rows: ends (workload names, addresses) and terms (ports, rule
// names) are stored once and referenced by integer id, which keeps edge rows a few dozen bytes.
// Ids are cached in memory; the cache must be forgotten when a transaction rolls back (the ids
// it learnt may be gone) and after orphans are pruned.

import type Database from "better-sqlite3";
import type { EndKind } from "../flow-records.js";

export const END_KIND: Record<EndKind, number> = { workload: 0, address: 1 };
export const KIND_OF_END: readonly EndKind[] = ["workload", "address"];

export class FlowNames {
  private readonly ends = new Map<string, number>();
  private readonly terms = new Map<string, number>();
  private readonly findEnd: Database.Statement;
  private readonly addEnd: Database.Statement;
  private readonly findTerm: Database.Statement;
  private readonly addTerm: Database.Statement;

  constructor(db: Database.Database) {
    this.findEnd = db.prepare("SELECT id FROM flow_ends WHERE name = ? AND kind = ?").pluck();
    this.addEnd = db.prepare("INSERT INTO flow_ends (name, kind) VALUES (?, ?)");
    this.findTerm = db.prepare("SELECT id FROM flow_terms WHERE text = ?").pluck();
    this.addTerm = db.prepare("INSERT INTO flow_terms (text) VALUES (?)");
  }

  /** The end's id, created when new. Call only inside a transaction. */
  endId(name: string, kind: EndKind): number {
    const key = kind === "workload" ? `w${name}` : `a${name}`;
    let id = this.ends.get(key);
    if (id === undefined) {
      const k = END_KIND[kind];
      id = (this.findEnd.get(name, k) as number | undefined) ?? this.insert(this.addEnd, name, k);
      this.ends.set(key, id);
    }
    return id;
  }

  /** The term's id, created when new. Call only inside a transaction. */
  termId(text: string): number {
    let id = this.terms.get(text);
    if (id === undefined) {
      id = (this.findTerm.get(text) as number | undefined) ?? this.insert(this.addTerm, text);
      this.terms.set(text, id);
    }
    return id;
  }

  forget(): void {
    this.ends.clear();
    this.terms.clear();
  }

  private insert(st: Database.Statement, ...args: unknown[]): number {
    return Number(st.run(...args).lastInsertRowid);
  }
}
