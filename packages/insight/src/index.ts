// @microseg/insight: pure analytics over flows — aggregation, learning (flows -> proposed policy),
// application discovery, detectors, blast radius. Imports only @microseg/core; the clock is passed in.

export * from "./flow.js";
