// @microseg/store/sqlite: the embedded SQLite adapter (better-sqlite3) and its file tools
// (online backup, inspection). Importing it loads the native driver; the root export does not.
export { backupDatabase, type DatabaseFacts, databaseInUse, inspectDatabase } from "./backup.js";
export type { SqliteStoreOptions } from "./open.js";
export { DB_FILE, openSqliteStore, SQLITE_SYNC_MODES, type SqliteSync } from "./open.js";
