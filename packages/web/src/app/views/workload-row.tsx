// One workload in the table: mode select, agent health, and the label editor / quarantine
// actions. Every change goes through the API; the row shows the controller's answer.
import { useState } from "react";
import { api, isUnavailable } from "../api/client.js";
import { PATHS, route } from "../api/paths.js";
import type { AgentView, Mode, WorkloadRecord } from "../api/types.js";
import { labelList, labelPatch, labelsToText, textToLabels } from "../components/labels.js";
import { ErrorMessage } from "../components/page-state.js";

const MODES: readonly Mode[] = ["learn", "test", "enforce"];

export function WorkloadRow(props: {
  workload: WorkloadRecord;
  agent: AgentView | undefined;
  onChanged: () => void;
}) {
  const w = props.workload;
  const [editing, setEditing] = useState(false);
  const [labelsText, setLabelsText] = useState("");
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const path = route(PATHS.workload, { name: w.name });

  async function act(what: string, call: () => Promise<unknown>) {
    setMessage(null);
    try {
      await call();
      setMessage({ ok: true, text: what });
      props.onChanged();
    } catch (err) {
      const text = isUnavailable(err)
        ? "Not available on this controller (no quarantine API)."
        : err instanceof Error
          ? err.message
          : String(err);
      setMessage({ ok: false, text });
    }
  }

  function saveLabels() {
    const parsed = textToLabels(labelsText);
    if (!parsed.ok) {
      setMessage({ ok: false, text: parsed.problem });
      return;
    }
    const labels = labelPatch(w.labels, parsed.labels);
    void act("Labels saved.", () => api("PATCH", path, { json: { labels } })).then(() =>
      setEditing(false),
    );
  }

  const quarantinePath = route(PATHS.quarantine, { name: w.name });
  return (
    <>
      <tr data-workload={w.name}>
        <th scope="row">
          {w.name}
          {w.quarantine !== undefined && (
            <span
              className="badge"
              title={`since ${w.quarantine.since} by ${w.quarantine.actor}: ${w.quarantine.reason}`}
            >
              quarantined
            </span>
          )}
        </th>
        <td>{labelList(w.labels)}</td>
        <td>{w.addresses.join(", ")}</td>
        <td>
          <label className="visually-hidden" htmlFor={`mode-${w.name}`}>
            Mode of {w.name}
          </label>
          <select
            id={`mode-${w.name}`}
            value={w.mode}
            disabled={!w.managed}
            onChange={(e) =>
              void act(`Mode set to ${e.target.value}.`, () =>
                api("PATCH", path, { json: { mode: e.target.value } }),
              )
            }
          >
            {MODES.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </td>
        <td>
          <AgentHealth agent={props.agent} managed={w.managed} />
        </td>
        <td>
          <button
            type="button"
            className="secondary"
            aria-expanded={editing}
            onClick={() => {
              setLabelsText(labelsToText(w.labels));
              setEditing(!editing);
            }}
          >
            Edit labels
          </button>{" "}
          {w.quarantine === undefined ? (
            <button
              type="button"
              className="danger"
              onClick={() =>
                void act(`${w.name} quarantined.`, () =>
                  api("POST", quarantinePath, { json: { reason: "quarantined from the console" } }),
                )
              }
            >
              Quarantine
            </button>
          ) : (
            <button
              type="button"
              className="secondary"
              onClick={() => void act(`${w.name} released.`, () => api("DELETE", quarantinePath))}
            >
              Release
            </button>
          )}
        </td>
      </tr>
      {(editing || message !== null) && (
        <tr>
          <td colSpan={6}>
            {editing && (
              <div className="toolbar">
                <div className="field">
                  <label htmlFor={`labels-${w.name}`}>
                    Labels of {w.name} (key=value per line)
                  </label>
                  <textarea
                    id={`labels-${w.name}`}
                    rows={4}
                    cols={40}
                    value={labelsText}
                    onChange={(e) => setLabelsText(e.target.value)}
                  />
                </div>
                <button type="button" onClick={saveLabels}>
                  Save labels
                </button>
              </div>
            )}
            {message !== null &&
              (message.ok ? (
                <p className="ok" role="status">
                  {message.text}
                </p>
              ) : (
                <ErrorMessage error={message.text} />
              ))}
          </td>
        </tr>
      )}
    </>
  );
}

function AgentHealth(props: { agent: AgentView | undefined; managed: boolean }) {
  const a = props.agent;
  if (!props.managed) return <span className="muted">unmanaged</span>;
  if (a === undefined) return <span className="muted">no agent</span>;
  return (
    <span>
      {a.online ? "online" : "offline"} · rev {a.appliedRevision ?? "none"}
      {a.converged ? "" : " (behind)"} · {a.drift}
    </span>
  );
}
