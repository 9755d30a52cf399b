// @microseg/nft/render: PURE RuleSet -> nftables JSON. Imports only @microseg/core types.

export { toElement, toElements } from "./elements.js";
export {
  FLOW_REFUSED_CHAIN,
  FLOW_SET_PREFIX,
  FLOW_SET_SIZE,
  FLOW_SET_TIMEOUT_S,
  type FlowFamily,
  type FlowKind,
  flowChainName,
  flowKindFor,
  flowRefusedSetName,
  flowSetName,
} from "./flow-recording.js";
export {
  DEFAULT_TABLE,
  FIXED_IDS,
  kernelSetNames,
  MANAGEMENT_SETS,
} from "./names.js";
export { renderDelta, stableJson } from "./render-delta.js";
export { type KernelSet, kernelSets, type RenderOptions, renderRuleSet } from "./render-ruleset.js";
export type * from "./wire.js";
