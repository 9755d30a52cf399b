// Policy recommendation: observed flows -> a label-based least-privilege policy draft.
export { DISTINGUISHING_KEYS, IDENTITY_KEYS, type Identity, identities } from "./identity.js";
export type {
  ProposedIpList,
  ProposedPeer,
  ProposedRule,
  Unexpressible,
} from "./proposal.js";
export {
  type Coverage,
  type Recommendation,
  type RecommendInput,
  recommend,
} from "./recommend.js";
