// Background traffic between lab hosts: the plan (scenario `traffic:`), its schedule, and the
// driver that runs it (`microseg lab traffic start|stop|status|--once`). See docs/design/lab.md.
export * from "./control.js";
export { type BoundFlow, labTrafficPlan } from "./lab-plan.js";
export { labTrafficOnce, runFlows, type TrafficOnceOptions, type TrafficResult } from "./once.js";
export * from "./plan.js";
export * from "./schedule.js";
