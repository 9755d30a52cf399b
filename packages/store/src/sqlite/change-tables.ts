// The change stream's rows (engine/changes.ts) on SQLite: table state_changes, migration 7.
import type Database from "better-sqlite3";
import type { Tables } from "../engine/tables.js";
import type { ChangeKind, StateChange } from "../port.js";

type ChangeTables = Pick<
  Tables,
  "appendChange" | "changesAfter" | "lastChangeSeq" | "firstChangeSeq" | "pruneChanges"
>;

export const changeFromRow = (r: Record<string, unknown>): StateChange => ({
  seq: Number(r.seq),
  kind: String(r.kind) as ChangeKind,
  key: String(r.key),
  at: String(r.at),
});

export function sqliteChangeTables(db: Database.Database): ChangeTables {
  const last = db.prepare("SELECT coalesce(max(seq), 0) FROM state_changes").pluck();
  const first = db.prepare("SELECT coalesce(min(seq), 0) FROM state_changes").pluck();
  const insert = db.prepare("INSERT INTO state_changes (seq, kind, key, at) VALUES (?, ?, ?, ?)");
  const after = db.prepare("SELECT * FROM state_changes WHERE seq > ? ORDER BY seq LIMIT ?");
  const prune = db.prepare(
    "DELETE FROM state_changes WHERE seq <= ? AND seq < (SELECT max(seq) FROM state_changes)",
  );
  return {
    appendChange: (c) => {
      const seq = Number(last.get()) + 1;
      insert.run(seq, c.kind, c.key, c.at);
      return seq;
    },
    changesAfter: (seq, limit) =>
      (after.all(seq, limit) as Record<string, unknown>[]).map(changeFromRow),
    lastChangeSeq: () => Number(last.get()),
    firstChangeSeq: () => Number(first.get()),
    pruneChanges: (keep) => void prune.run(keep),
  };
}
