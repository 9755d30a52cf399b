import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { storeContract } from "./contract.js";
import { createStore } from "./engine/create-store.js";
import type { Store } from "./port.js";
import { DB_FILE, sqliteBackend } from "./sqlite/open.js";
import { failpointSwitch, type StoreHarness } from "./testing.js";

/** Tampering goes around the store the way an attacker with the file would: its own connection. */
function tamper(dir: string, sql: string[]): void {
  const db = new Database(join(dir, DB_FILE));
  try {
    db.exec(
      "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;",
    );
    for (const s of sql) db.exec(s);
  } finally {
    db.close();
  }
}

storeContract(
  "sqlite",
  async (clock): Promise<StoreHarness> => {
    const dir = mkdtempSync(join(tmpdir(), "mseg-store-"));
    const fp = failpointSwitch();
    const open = (): Store => {
      const options = { dir, clock: clock.now, failpoint: fp.failpoint };
      return createStore(sqliteBackend(options, clock.now()), {
        clock: clock.now,
        failpoint: fp.failpoint,
      });
    };
    let store = open();
    const q = (s: string) => s.replaceAll("'", "''");
    return {
      get store() {
        return store;
      },
      failAt: fp.failAt,
      tamper: {
        deleteEntry: async (seq) => tamper(dir, [`DELETE FROM audit_log WHERE seq = ${seq}`]),
        editEntry: async (seq, patch) =>
          tamper(dir, [
            ...(patch.actor === undefined
              ? []
              : [`UPDATE audit_log SET actor = '${q(patch.actor)}' WHERE seq = ${seq}`]),
            ...(patch.action === undefined
              ? []
              : [`UPDATE audit_log SET action = '${q(patch.action)}' WHERE seq = ${seq}`]),
            ...(patch.after === undefined
              ? []
              : [
                  `UPDATE audit_log SET after = '${q(JSON.stringify(patch.after))}' WHERE seq = ${seq}`,
                ]),
          ]),
        swapEntries: async (a, b) =>
          tamper(dir, [
            `UPDATE audit_log SET seq = 1000000000 WHERE seq = ${a}`,
            `UPDATE audit_log SET seq = ${a} WHERE seq = ${b}`,
            `UPDATE audit_log SET seq = ${b} WHERE seq = 1000000000`,
          ]),
      },
      reopen: async () => {
        await store.close();
        store = open();
        return store;
      },
      dispose: async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  { durable: true },
);
