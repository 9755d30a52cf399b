// @microseg/nft driver: applies RuleSets to the kernel through `nft -j -f -`.

export { createNftExec, type NftExec, type NftExecResult } from "./exec.js";
export { assertNamespaceAllowed } from "./namespace-guard.js";
export {
  type ApplyResult,
  type DriftOptions,
  type DriftReport,
  NftDriver,
  type NftDriverOptions,
  type RuleCounter,
} from "./nft-driver.js";
export {
  createNftSession,
  type NftSession,
  type NftSessionOptions,
  TERSE_LIST_FLAGS,
} from "./session.js";
