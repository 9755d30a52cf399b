// The number of open incidents, from GET /api/v1/incidents when this controller serves it.
import { PATHS } from "../api/paths.js";
import { Show } from "../components/page-state.js";
import { useApi } from "../components/use-api.js";
import { Link } from "../router.js";

interface IncidentListLike {
  readonly incidents: readonly { readonly status?: string }[];
}

export function IncidentCount() {
  const [incidents] = useApi<IncidentListLike>(PATHS.incidents);
  return (
    <Show loaded={incidents}>
      {(list) => {
        const open = list.incidents.filter((i) => i.status === undefined || i.status === "open");
        return (
          <p>
            <span className="big">{open.length}</span>{" "}
            <Link to="/alerts">Alerts and incidents</Link>
          </p>
        );
      }}
    </Show>
  );
}
