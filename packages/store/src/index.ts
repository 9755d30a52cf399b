// @microseg/store: the async Store port and its adapters. Only composition roots (main.ts files)
// call the open* functions; everything else takes a Store.

export { SCHEMA_VERSION } from "./engine/tables.js";
export * from "./flow-records.js";
export type { MemoryStoreOptions } from "./memory/memory-store.js";
export { openMemoryStore } from "./memory/memory-store.js";
export * from "./port.js";
export * from "./records.js";
export {
  AUDIT_KEY_BYTES,
  GENESIS,
  KEYED_ACTION,
  KEYED_TARGET,
  keyIdOf,
} from "./shared/audit-chain.js";
export { verifyChain } from "./shared/chain-walk.js";
export {
  backupDatabase,
  type DatabaseFacts,
  databaseInUse,
  inspectDatabase,
} from "./sqlite/backup.js";
export type { SqliteStoreOptions } from "./sqlite/open.js";
export { DB_FILE, openSqliteStore, SQLITE_SYNC_MODES, type SqliteSync } from "./sqlite/open.js";
