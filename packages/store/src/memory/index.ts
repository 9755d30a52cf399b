// @microseg/store/memory: the memory adapter (tests, benchmark baseline, short-lived tools).
export type { MemoryStoreOptions } from "./memory-store.js";
export { openMemoryStore } from "./memory-store.js";
