// `microseg demo`: prerequisites, the demo lab, and the story's steps. See docs/demo.md.
export { type ConsoleInfo, consoleInfo, consoleText } from "./console.js";
export * from "./prerequisites.js";
export { type RunDemoOptions, runDemo, STEP_TITLES } from "./run-demo.js";
export { SWEPT_HOSTS, SWEPT_PORTS } from "./sweep.js";
export * from "./types.js";
