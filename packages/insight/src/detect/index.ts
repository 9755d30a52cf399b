// Detection: scans, lateral movement, ransomware-style spread, decoy touches and enforcement gaps,
// de-duplicated into alerts grouped by incident. See docs/design/detection.md.
export { Baseline } from "./baseline.js";
export { type Decoy, DecoyList, parseDecoy } from "./decoys.js";
export { DetectionEngine } from "./engine.js";
export { type Gap, gapOf } from "./gap.js";
export { DEFAULT_DETECTION_OPTIONS, type DetectionOptions } from "./options.js";
export { describePort, type Risk, serviceOf } from "./services.js";
export * from "./types.js";
