// Blast radius under a policy: the reach graph (who may open a connection to whom, on what), the
// k-hop reach of one workload, and the estate-wide exposure figure.
export {
  type BlastHop,
  type BlastRadius,
  type BlastTarget,
  blastRadius,
  DEFAULT_HOPS,
  type EstateExposure,
  estateExposure,
} from "./blast-radius.js";
export { buildReachGraph, type ReachGraph, type ReachOptions, reach } from "./reach-graph.js";
