// @microseg/agent: the host agent (sync with the controller, dataplane manager, tamper watch,
// local state). `runAgentProcess` is the composition root; the rest is exported for tests.

export { type AgentConfig, type AgentDeps, type RunningAgent, startAgent } from "./agent.js";
export { type Backoff, createBackoff } from "./backoff.js";
export { type BeforePolicy, beforePolicyRuleSet } from "./before-policy.js";
export { assertPinned, caFingerprint, pinnedCa } from "./ca-pin.js";
export {
  type ControllerClient,
  ControllerError,
  createControllerClient,
} from "./controller-client.js";
export { DataplaneManager, type DesiredPolicy, type DriverFactory } from "./dataplane.js";
export { createHttpTransport, type HttpTransport } from "./http-transport.js";
export { type AgentProcessOptions, runAgentProcess } from "./main.js";
export { accessFor, controllerChannel } from "./management.js";
export { type Identity, type LastGood, openStateStore, type StateStore } from "./state-store.js";
export { StatusReporter } from "./status-reporter.js";
export type * from "./wire.js";
