// The number of open incidents, from GET /api/v1/incidents when this controller serves it.
import { PATHS } from "../api/paths.js";
import type { IncidentList } from "../api/types.js";
import { Show } from "../components/page-state.js";
import { useApi } from "../components/use-api.js";
import { Link } from "../router.js";

export function IncidentCount() {
  const [incidents] = useApi<IncidentList>(PATHS.incidents);
  return (
    <Show loaded={incidents}>
      {(list) => (
        <p>
          <span className="big">{list.incidents.filter((i) => i.status === "open").length}</span>{" "}
          <Link to="/alerts">Alerts and incidents</Link>
        </p>
      )}
    </Show>
  );
}
