// @microseg/insight: pure analytics over flows — aggregation, learning (flows -> proposed policy),
// application discovery, detectors, blast radius. Imports only @microseg/core; the clock is passed in.

export * from "./blast/index.js";
export * from "./detect/index.js";
export * from "./discover/index.js";
export * from "./flow.js";
export * from "./learnable.js";
export * from "./outcome.js";
export * from "./recommend/index.js";
export * from "./replay/index.js";
export * from "./scanners.js";
