// One observation kept as an alert's evidence (bounded per alert by the AlertBook).
import type { FlowObservation } from "../flow.js";
import type { EvidenceFlow } from "./types.js";

export function evidence(obs: FlowObservation): EvidenceFlow {
  return {
    from: obs.from.name,
    to: obs.to.name,
    port: obs.port,
    verdict: obs.verdict,
    ...(obs.outcome === undefined ? {} : { outcome: obs.outcome }),
    count: obs.count,
    at: obs.last,
    ...(obs.rule === undefined ? {} : { rule: obs.rule }),
  };
}
