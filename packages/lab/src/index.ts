// @microseg/lab: a network-namespace lab that proves enforcement with real connections.
// Library API used by the CLI (`microseg lab …`) and by tests; see docs/design/lab.md.
export { type ApplyPolicyOptions, type ApplyPolicyResult, labApplyPolicy } from "./apply-policy.js";
export { type DownOptions, type DownReport, labDown } from "./down.js";
export { compileScenario, NAMESPACE_NAME_LABEL, workloadsOf } from "./enforce.js";
export { type ExecOptions, labExec } from "./exec.js";
export * from "./naming.js";
export { labProbe, PROBE_TIMEOUT_MS, type ProbeOptions, requireUp } from "./probe.js";
export * from "./probe-plan.js";
export * from "./scenario/index.js";
export { type LabState, readState, type StateHost, stateDir } from "./state.js";
export { preflight } from "./sys/preflight.js";
export { labNamespaces } from "./topology.js";
export { labUp, type UpOptions, type UpResult } from "./up.js";
