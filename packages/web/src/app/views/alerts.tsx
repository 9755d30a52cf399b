// Alerts and incidents: what the detectors found (scans, lateral movement, ransomware-style
// fan-out, decoy touches), with their evidence.
import { PATHS } from "../api/paths.js";
import { Show } from "../components/page-state.js";
import { useApi } from "../components/use-api.js";

export function AlertsView() {
  const [alerts] = useApi<unknown>(PATHS.alerts);
  const [incidents] = useApi<unknown>(PATHS.incidents);
  return (
    <section>
      <h1>Alerts and incidents</h1>
      <h2>Incidents</h2>
      <Show loaded={incidents}>{(i) => <pre>{JSON.stringify(i, null, 2)}</pre>}</Show>
      <h2>Alerts</h2>
      <Show loaded={alerts}>{(a) => <pre>{JSON.stringify(a, null, 2)}</pre>}</Show>
    </section>
  );
}
