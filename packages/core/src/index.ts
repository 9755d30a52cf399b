// @microseg/core: the pure policy core. No I/O, no node:* imports (a test enforces it).

export * from "./compile/index.js";
export * from "./decision.js";
export * from "./diagnostics.js";
export * from "./errors.js";
export * from "./explain/index.js";
export * from "./model.js";
export * from "./policy/index.js";
export * from "./ports.js";
export * from "./ruleset.js";
