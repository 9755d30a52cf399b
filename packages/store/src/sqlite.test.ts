import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { storeContract } from "./contract.js";
import { createStore } from "./engine/create-store.js";
import type { Store } from "./port.js";
import type { AuditEntry } from "./records.js";
import { DB_FILE, sqliteBackend } from "./sqlite/open.js";
import { auditFromRow, auditToRow } from "./sqlite/rows.js";
import { failpointSwitch, type StoreHarness, TEST_AUDIT_KEY } from "./testing.js";

/** Tampering goes around the store the way an attacker with the file would: its own connection. */
function withFile<T>(dir: string, fn: (db: Database.Database) => T): T {
  const db = new Database(join(dir, DB_FILE));
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

function rows(dir: string): AuditEntry[] {
  return withFile(dir, (db) =>
    db
      .prepare("SELECT * FROM audit_log ORDER BY seq")
      .all()
      .map((r) => auditFromRow(r as never)),
  );
}

function replaceRows(dir: string, entries: readonly AuditEntry[]): void {
  withFile(dir, (db) => {
    db.exec(
      "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;",
    );
    const insert = db.prepare(
      `INSERT INTO audit_log (seq, at, actor, action, target, before, after, prev_hash, hash)
       VALUES (@seq, @at, @actor, @action, @target, @before, @after, @prev_hash, @hash)`,
    );
    db.transaction(() => {
      db.exec("DELETE FROM audit_log");
      for (const e of entries) insert.run(auditToRow(e));
    })();
  });
}

storeContract(
  "sqlite",
  async (clock): Promise<StoreHarness> => {
    const dir = mkdtempSync(join(tmpdir(), "mseg-store-"));
    const fp = failpointSwitch();
    const others: Store[] = [];
    const open = (auditKey: Uint8Array | undefined): Store => {
      const options = {
        dir,
        clock: clock.now,
        failpoint: fp.failpoint,
        ...(auditKey !== undefined && { auditKey }),
      };
      return createStore(sqliteBackend(options, clock.now()), options);
    };
    let store = open(TEST_AUDIT_KEY);
    return {
      get store() {
        return store;
      },
      failAt: fp.failAt,
      withKey: (key) => {
        const other = open(key);
        others.push(other);
        return other;
      },
      tamper: {
        rows: async () => rows(dir),
        replaceRows: async (entries) => replaceRows(dir, entries),
      },
      reopen: async () => {
        await store.close();
        store = open(TEST_AUDIT_KEY);
        return store;
      },
      dispose: async () => {
        for (const o of others) await o.close();
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  { durable: true },
);
