// Replay: recorded flows judged by the active policy and a draft (impact preview, policy CI).
export { flowEndpoint } from "./endpoints.js";
export {
  DEFAULT_ROLLUP_LABEL,
  type Judgement,
  type ReplayChange,
  type ReplayedEdge,
  type ReplayGroup,
  type ReplayInput,
  type ReplayReport,
  replay,
} from "./replay.js";
