// @microseg/core: the pure policy core. No I/O, no node:* imports (a test enforces it).

// Address algebra and selector matching, for backends that reason about the model directly.
export * from "./addr/index.js";
export * from "./compile/index.js";
export * from "./decision.js";
export * from "./diagnostics.js";
export * from "./duration.js";
export * from "./errors.js";
export * from "./explain/index.js";
export * from "./model.js";
export * from "./policy/index.js";
export * from "./ports.js";
export * from "./random.js";
export * from "./ruleset.js";
export { labelValue, matchLabel, matchNamespace, matchSelector } from "./selector.js";
export * from "./text.js";
