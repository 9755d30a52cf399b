// Blast radius of one workload: what an attacker holding it could reach in k hops under the
// active policy; the reached workloads (or their groups) are highlighted on the map.
import { useEffect, useState } from "react";
import { PATHS, route } from "../api/paths.js";
import type { BlastRadiusWire } from "../api/types.js";
import { Show } from "../components/page-state.js";
import { useApi } from "../components/use-api.js";
import { type Graph, nodeIndex } from "./graph.js";

export function BlastRadius(props: {
  workload: string;
  graph: Graph;
  onHighlight: (ids: ReadonlySet<string>) => void;
}) {
  const [hops, setHops] = useState(3);
  const [radius] = useApi<BlastRadiusWire>(
    route(PATHS.blastRadius, {}, { workload: props.workload, hops }),
  );
  const { graph, onHighlight } = props;
  useEffect(() => {
    if (radius.state !== "ok") return;
    const nodeOf = nodeIndex(graph.nodes);
    onHighlight(new Set(radius.data.reachable.map((r) => nodeOf(r.workload))));
    return () => onHighlight(new Set());
  }, [radius, graph, onHighlight]);

  return (
    <div data-testid="blast-radius">
      <h3>Blast radius</h3>
      <div className="field">
        <label htmlFor="blast-hops">Hops</label>
        <select id="blast-hops" value={hops} onChange={(e) => setHops(Number(e.target.value))}>
          {[1, 2, 3, 4, 5].map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </div>
      <Show loaded={radius}>
        {(r) => (
          <>
            <p>
              From {r.workload}, under the {r.policy} policy, an attacker reaches{" "}
              <strong>
                {r.reachable.length} workload{r.reachable.length === 1 ? "" : "s"}
              </strong>{" "}
              within {r.hops} hops (per hop: {r.perHop.join(", ")}); highlighted on the map.
            </p>
            <ul>
              {r.reachable.map((x) => (
                <li key={x.workload}>
                  {x.workload} in {x.hops}: {x.path.join(" → ")}
                  {x.via.length > 0 && ` (${x.via.map((v) => v.services.join("/")).join(", ")})`}
                </li>
              ))}
            </ul>
          </>
        )}
      </Show>
    </div>
  );
}
