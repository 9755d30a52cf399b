// @microseg/store/postgres: the PostgreSQL adapter (node-postgres). Importing it loads pg; the
// root export does not.
export type { PostgresStoreOptions } from "./open.js";
export { openPostgresStore } from "./open.js";
