// `@microseg/protocol/agent`: only what an agent needs (agent channel schemas, shared wire
// shapes, paths, fingerprints), without the admin API and the error map, so an agent process
// does not load the whole policy core (its YAML reader, compiler) at run time.

export * from "./agent.js";
export * from "./common.js";
export * from "./fingerprint.js";
export * from "./flows.js";
export * from "./paths.js";
