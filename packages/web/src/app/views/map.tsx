// The application map (GET /api/v1/map), drawn with Cytoscape.js.
import { PATHS, route } from "../api/paths.js";
import { Show } from "../components/page-state.js";
import { useApi } from "../components/use-api.js";

export function MapView() {
  const [map] = useApi<unknown>(route(PATHS.map, {}, { groupBy: "app" }));
  return (
    <section>
      <h1>Map</h1>
      <Show loaded={map}>{(m) => <pre>{JSON.stringify(m, null, 2)}</pre>}</Show>
    </section>
  );
}
