// Label suggestions the controller learned from traffic (application discovery): each with its
// confidence and evidence, and an Accept button that applies it through the API (audited).
import { useState } from "react";
import { api } from "../api/client.js";
import { PATHS, route } from "../api/paths.js";
import type { Suggestions } from "../api/types.js";
import { ErrorMessage, Show } from "../components/page-state.js";
import { useApi } from "../components/use-api.js";

export function LabelSuggestions(props: { onAccepted: () => void }) {
  const [suggestions, reload] = useApi<Suggestions>(route(PATHS.suggestions, {}, { since: "7d" }));
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  async function accept(workload: string, key: string, value: string) {
    setMessage(null);
    try {
      await api("POST", PATHS.acceptLabels, { json: { workload, labels: { [key]: value } } });
      setMessage({ ok: true, text: `${workload} now carries ${key}=${value}.` });
      reload();
      props.onAccepted();
    } catch (err) {
      setMessage({ ok: false, text: err instanceof Error ? err.message : String(err) });
    }
  }

  return (
    <>
      {message !== null &&
        (message.ok ? (
          <p className="ok" role="status">
            {message.text}
          </p>
        ) : (
          <ErrorMessage error={message.text} />
        ))}
      <Show loaded={suggestions}>
        {(s) =>
          s.suggestions.length === 0 ? (
            <p className="muted">
              No suggestion: {s.groups.length} application groups found in {s.edges} flow edges, and
              their workloads already carry fitting labels.
            </p>
          ) : (
            <table>
              <caption>
                {s.suggestions.length} suggestions from {s.groups.length} application groups
              </caption>
              <thead>
                <tr>
                  <th scope="col">Workload</th>
                  <th scope="col">Suggested label</th>
                  <th scope="col">Confidence</th>
                  <th scope="col">Evidence</th>
                  <th scope="col">Action</th>
                </tr>
              </thead>
              <tbody>
                {s.suggestions.map((x) => (
                  <tr key={`${x.workload}|${x.key}`}>
                    <td>{x.workload}</td>
                    <td>
                      <code>
                        {x.key}={x.value}
                      </code>
                    </td>
                    <td>{Math.round(x.confidence * 100)}%</td>
                    <td>{x.evidence.join("; ")}</td>
                    <td>
                      <button type="button" onClick={() => void accept(x.workload, x.key, x.value)}>
                        Accept {x.key}={x.value} for {x.workload}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Show>
    </>
  );
}
