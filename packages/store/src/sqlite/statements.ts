// Small typed wrappers over better-sqlite3 prepared statements. Each wrapper prepares once (at
// open) and returns a plain function; `put`/`insert` take records and map them to named params.

import type Database from "better-sqlite3";

type Row = Record<string, unknown>;

/** INSERT ... ON CONFLICT (key) DO UPDATE: a put that keeps the row's identity. */
function upsertSql(table: string, columns: readonly string[], key: string): string {
  const sets = columns.filter((c) => c !== key).map((c) => `${c} = excluded.${c}`);
  return `${insertSql(table, columns)} ON CONFLICT (${key}) DO UPDATE SET ${sets.join(", ")}`;
}

function insertSql(table: string, columns: readonly string[]): string {
  const params = columns.map((c) => `@${c}`).join(", ");
  return `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${params})`;
}

export function statements(db: Database.Database) {
  return {
    one<T>(sql: string, map: (r: Row) => T) {
      const st = db.prepare(sql);
      return (...args: unknown[]) => {
        const r = st.get(...args) as Row | undefined;
        return r === undefined ? undefined : map(r);
      };
    },
    many<T>(sql: string, map: (r: Row) => T) {
      const st = db.prepare(sql);
      return (...args: unknown[]) => (st.all(...args) as Row[]).map(map);
    },
    /** Upsert by `key`; `columns` must match the names toRow produces. */
    put<T>(table: string, columns: readonly string[], key: string, toRow: (v: T) => Row) {
      const st = db.prepare(upsertSql(table, columns, key));
      return (v: T) => void st.run(toRow(v));
    },
    insert<T>(table: string, columns: readonly string[], toRow: (v: T) => Row) {
      const st = db.prepare(insertSql(table, columns));
      return (v: T) => void st.run(toRow(v));
    },
    /** Runs a statement; returns the number of changed rows. */
    exec(sql: string) {
      const st = db.prepare(sql);
      return (...args: unknown[]) => st.run(...args).changes;
    },
    scalar(sql: string) {
      const st = db.prepare(sql).pluck();
      return () => st.get() as number | null;
    },
  };
}
