// The compiler: policy + inventory -> one RuleSet per managed workload.
//   resolve.ts  once per policy revision: rule sides -> members and normalized peer sets
//   reduce.ts   per workload: the rules whose sides select it -> ordered entries + sets
//   compiler.ts incremental: workload changes touch only the sets and workloads they affect
export { compile } from "./compile.js";
export { type Change, type CompileDelta, Compiler } from "./compiler.js";
export type { Resolution, ResolvedRule, ResolvedSide } from "./resolve.js";
