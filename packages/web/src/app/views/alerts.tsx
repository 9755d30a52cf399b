// Alerts and incidents: what the detectors found (scans, lateral movement, ransomware-style
// fan-out, decoy touches, enforcement gaps), grouped into incidents, each alert with its
// evidence; acknowledge an alert, or quarantine its source from here.
import { useState } from "react";
import { api } from "../api/client.js";
import { PATHS, route } from "../api/paths.js";
import type { Alert, AlertList, IncidentList } from "../api/types.js";
import { ErrorMessage, Show } from "../components/page-state.js";
import { useApi } from "../components/use-api.js";
import { AlertEvidence } from "./alert-evidence.js";

export function AlertsView() {
  const [status, setStatus] = useState("open");
  const [alerts, reloadAlerts] = useApi<AlertList>(route(PATHS.alerts, {}, { status, limit: 500 }));
  const [incidents, reloadIncidents] = useApi<IncidentList>(PATHS.incidents);
  const reload = () => {
    reloadAlerts();
    reloadIncidents();
  };
  return (
    <section>
      <h1>Alerts and incidents</h1>
      <h2>Incidents</h2>
      <Show loaded={incidents}>
        {(list) =>
          list.incidents.length === 0 ? (
            <p className="ok">No incident.</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">Incident</th>
                  <th scope="col">Severity</th>
                  <th scope="col">Status</th>
                  <th scope="col">Kinds</th>
                  <th scope="col">Sources</th>
                  <th scope="col">Targets</th>
                  <th scope="col">First</th>
                  <th scope="col">Last</th>
                  <th scope="col">Alerts</th>
                </tr>
              </thead>
              <tbody>
                {list.incidents.map((i) => (
                  <tr key={i.id}>
                    <td>{i.id}</td>
                    <td>{i.severity}</td>
                    <td>{i.status}</td>
                    <td>{i.kinds.join(", ")}</td>
                    <td>{i.sources.join(", ")}</td>
                    <td>{i.targets.join(", ")}</td>
                    <td>{i.at}</td>
                    <td>{i.lastAt}</td>
                    <td>{i.alerts.length}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Show>
      <h2>Alerts</h2>
      <div className="toolbar">
        <div className="field">
          <label htmlFor="alert-status">Status</label>
          <select id="alert-status" value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="open">open</option>
            <option value="acknowledged">acknowledged</option>
            <option value="resolved">resolved</option>
            <option value="">any</option>
          </select>
        </div>
      </div>
      <Show loaded={alerts}>
        {(list) =>
          list.alerts.length === 0 ? (
            <p className="ok">No alert.</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">Severity</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Source → targets</th>
                  <th scope="col">Summary and evidence</th>
                  <th scope="col">Seen</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {list.alerts.map((a) => (
                  <AlertRow key={a.id} alert={a} onChanged={reload} />
                ))}
              </tbody>
            </table>
          )
        }
      </Show>
    </section>
  );
}

function AlertRow(props: { alert: Alert; onChanged: () => void }) {
  const a = props.alert;
  const [problem, setProblem] = useState<string | null>(null);
  async function act(call: () => Promise<unknown>) {
    setProblem(null);
    try {
      await call();
      props.onChanged();
    } catch (err) {
      setProblem(err instanceof Error ? err.message : String(err));
    }
  }
  return (
    <tr data-alert={a.id}>
      <td>{a.severity}</td>
      <td>{a.kind}</td>
      <td>
        {a.source} → {a.targets.join(", ")}
      </td>
      <td>
        {a.summary}
        <details>
          <summary>Evidence</summary>
          <AlertEvidence evidence={a.evidence} />
        </details>
        {problem !== null && <ErrorMessage error={problem} />}
      </td>
      <td>
        {a.at}
        {a.count > 1 && ` (×${a.count}, last ${a.lastAt})`} · {a.status}
      </td>
      <td>
        {a.status === "open" && (
          <button
            type="button"
            className="secondary"
            onClick={() => void act(() => api("POST", route(PATHS.alertAck, { id: a.id })))}
          >
            Acknowledge
          </button>
        )}{" "}
        <button
          type="button"
          className="danger"
          onClick={() =>
            void act(() =>
              api("POST", route(PATHS.quarantine, { name: a.source }), {
                json: { reason: `alert ${a.id}: ${a.summary}`.slice(0, 500) },
              }),
            )
          }
        >
          Quarantine {a.source}
        </button>
      </td>
    </tr>
  );
}
