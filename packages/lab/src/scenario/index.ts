export * from "./addresses.js";
export { loadScenario, parseScenario, ScenarioInvalidError } from "./load.js";
export * from "./types.js";
