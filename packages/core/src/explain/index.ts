// explain(flow) -> Decision, and the `tests:` runner built on it.
export { type ChainResult, evaluateChain, type Packet } from "./evaluate.js";
export { explain } from "./explain.js";
export { type PolicyTestResult, runPolicyTests } from "./policy-tests.js";
