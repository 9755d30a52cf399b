// Revision history, newest first, with rollback (which makes a copy of an old revision active as
// a new one) and a way to load an old revision's text into the editor.
import { useState } from "react";
import { api, get } from "../api/client.js";
import { PATHS, route } from "../api/paths.js";
import type { History, ProvisionResponse, Revision } from "../api/types.js";
import { ErrorMessage } from "../components/page-state.js";

export function HistoryPanel(props: {
  history: History;
  onChanged: (message: string) => void;
  onLoadText: (text: string, from: number) => void;
}) {
  const [problem, setProblem] = useState<string | null>(null);
  const h = props.history;

  async function rollback(to: number) {
    setProblem(null);
    try {
      const out = await api<ProvisionResponse>("POST", PATHS.policyRollback, {
        json: { to, comment: `rollback to #${to}`, expectedActive: h.active },
      });
      props.onChanged(
        `Revision #${out.revision.number} (a copy of #${to}) is active; ${out.pushed} agents notified.`,
      );
    } catch (err) {
      setProblem(err instanceof Error ? err.message : String(err));
    }
  }

  async function load(n: number) {
    try {
      const rev = await get<Revision>(route(PATHS.policyRevision, { number: n }));
      props.onLoadText(rev.text, n);
    } catch (err) {
      setProblem(err instanceof Error ? err.message : String(err));
    }
  }

  if (h.revisions.length === 0) return <p className="muted">No revision provisioned yet.</p>;
  return (
    <>
      {problem !== null && <ErrorMessage error={problem} />}
      <table>
        <caption>Revisions (active: {h.active === null ? "none" : `#${h.active}`})</caption>
        <thead>
          <tr>
            <th scope="col">Revision</th>
            <th scope="col">When</th>
            <th scope="col">Author</th>
            <th scope="col">Comment</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {h.revisions.map((r) => (
            <tr key={r.number} data-revision={r.number}>
              <td>
                #{r.number}
                {r.number === h.active && <strong> (active)</strong>}
                {r.rolledBackFrom !== null && (
                  <span className="muted"> copy of #{r.rolledBackFrom}</span>
                )}
              </td>
              <td>{r.createdAt}</td>
              <td>{r.author}</td>
              <td>{r.comment}</td>
              <td>
                <button type="button" className="secondary" onClick={() => void load(r.number)}>
                  Load into editor
                </button>{" "}
                {r.number !== h.active && (
                  <button
                    type="button"
                    className="secondary"
                    onClick={() => void rollback(r.number)}
                  >
                    Roll back to #{r.number}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
