// explain(flow) -> Decision, and the `tests:` runner built on it.
export { ExplainContext, type ResolvedEndpoint } from "./context.js";
export { type ChainResult, evaluateChain, type Packet } from "./evaluate.js";
export { explain, explainEndpoints, explainWith } from "./explain.js";
export { toPacket } from "./packet.js";
export { type PolicyTestResult, runPolicyTests } from "./policy-tests.js";
