// Small SQL helpers over one pg client: the record <-> row mappers of sqlite/rows.ts are reused
// (same columns, JSON as text, 0/1 flags), so both adapters read and write the same row shapes.
import type pg from "pg";

export type Row = Record<string, unknown>;

export interface Sql {
  rows(text: string, values?: readonly unknown[]): Promise<Row[]>;
  /** Number of rows the statement changed. */
  exec(text: string, values?: readonly unknown[]): Promise<number>;
}

export function sqlOn(client: pg.ClientBase): Sql {
  return {
    async rows(text, values = []) {
      return (await client.query(text, values as unknown[])).rows as Row[];
    },
    async exec(text, values = []) {
      return (await client.query(text, values as unknown[])).rowCount ?? 0;
    },
  };
}

/** INSERT … ON CONFLICT (key) DO UPDATE: values $1…$n in `columns` order. */
export function upsertSql(table: string, columns: readonly string[], key: string): string {
  const sets = columns.filter((c) => c !== key).map((c) => `${c} = excluded.${c}`);
  return `${insertSql(table, columns)} ON CONFLICT (${key}) DO UPDATE SET ${sets.join(", ")}`;
}

/** upsertSql for `rows` rows at once: values $1…$(rows * columns), row after row. */
export function upsertManySql(
  table: string,
  columns: readonly string[],
  key: string,
  rows: number,
): string {
  const n = columns.length;
  const tuples = Array.from(
    { length: rows },
    (_, r) => `(${columns.map((_, c) => `$${r * n + c + 1}`).join(", ")})`,
  );
  const sets = columns.filter((c) => c !== key).map((c) => `${c} = excluded.${c}`);
  return `INSERT INTO ${table} (${columns.join(", ")}) VALUES ${tuples.join(", ")} ON CONFLICT (${key}) DO UPDATE SET ${sets.join(", ")}`;
}

export function insertSql(table: string, columns: readonly string[]): string {
  const params = columns.map((_, i) => `$${i + 1}`).join(", ");
  return `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${params})`;
}

/** The values of `row` in `columns` order. */
export const valuesOf = (row: Row, columns: readonly string[]) => columns.map((c) => row[c]);

/** PostgreSQL answers BIGINT as text; counters and seqs fit in a JavaScript number. */
export const num = (v: unknown) => Number(v);

export const cols = (names: string) => names.split(/\s+/).filter(Boolean);
