// @microseg/store: the async Store port, its records and the audit chain helpers. The adapters
// are subpath exports — @microseg/store/memory, /sqlite, /postgres — so that importing the port
// loads no database driver. Only composition roots (main.ts files) call the open* functions;
// everything else takes a Store.

export { SCHEMA_VERSION } from "./engine/tables.js";
export * from "./flow-records.js";
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
