// Test helpers of @microseg/agent (not part of the build).

export { type FakeController, type FakePolicy, startFakeController } from "./fake-controller.js";
export { JsonLines, type Line } from "./json-lines.js";
export { manyClients, serverRuleSet, udpServerRuleSet } from "./rulesets.js";
export { type MemoryLog, memoryLog } from "./silent-log.js";
