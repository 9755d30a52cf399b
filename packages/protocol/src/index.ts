// @microseg/protocol: the wire contract (v1) between controller, agents and clients — zod
// schemas, the types they infer, route paths and the error-code -> HTTP status map. Pure: imports
// only @microseg/core and zod (a test enforces it).

export * from "./admin.js";
export * from "./agent.js";
export * from "./alerts.js";
export * from "./common.js";
export * from "./errors.js";
export * from "./fingerprint.js";
export * from "./flows.js";
export * from "./insight.js";
export * from "./install.js";
export * from "./map.js";
export * from "./paths.js";
