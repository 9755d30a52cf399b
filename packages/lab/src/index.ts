// @microseg/lab: a network-namespace lab that proves enforcement with real connections.
// Library API used by the CLI (`microseg lab …`) and by tests; see docs/design/lab.md.
export { type ApplyPolicyOptions, type ApplyPolicyResult, labApplyPolicy } from "./apply-policy.js";
export {
  ATTACK_KINDS,
  type AttackKind,
  type AttackOptions,
  type AttackReport,
  labAttack,
  parsePorts,
  planAttack,
  slowScanSteps,
  VULN_SCAN_TCP,
  VULN_SCAN_UDP,
} from "./attack.js";
export { type AgentRow, listAgents, waitConverged } from "./control-plane.js";
export * from "./demo/index.js";
export { type DownOptions, type DownReport, labDown } from "./down.js";
export { compileScenario, NAMESPACE_NAME_LABEL, workloadsOf } from "./enforce.js";
export { type ExecOptions, labExec } from "./exec.js";
export { LabApiError, type LabApiTarget, labApi } from "./lab-api.js";
export * from "./naming.js";
export { labProbe, PROBE_TIMEOUT_MS, type ProbeOptions, requireUp } from "./probe.js";
export * from "./probe-plan.js";
export {
  labCutStore,
  labRestoreStore,
  labStartAgent,
  labStartController,
  labStartReplica,
  labStopAgent,
  labStopController,
  type ProcessOptions,
} from "./processes.js";
export { checkReplicas, MAX_REPLICAS } from "./replicas.js";
export * from "./scenario/index.js";
export {
  type LabState,
  readState,
  replicasOf,
  type StateController,
  type StateHost,
  type StateReplica,
  stateDir,
} from "./state.js";
export { preflight } from "./sys/preflight.js";
export { labNamespaces } from "./topology.js";
export * from "./traffic/index.js";
export { directByDefault, labUp, type UpOptions, type UpResult } from "./up.js";
export { apiOf } from "./up-control-plane.js";
