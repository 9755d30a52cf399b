// @microseg/core: the pure policy core. No I/O, no node:* imports (a test enforces it).

export * from "./decision.js";
export * from "./diagnostics.js";
export * from "./errors.js";
export * from "./model.js";
export * from "./ports.js";
export * from "./ruleset.js";
