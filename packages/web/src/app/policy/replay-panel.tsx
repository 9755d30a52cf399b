// Impact preview: the flows recorded over a period, judged by the active policy and by the
// editor's text ("this change newly blocks 37 connections"), by rule and by application.
import { useState } from "react";
import { api } from "../api/client.js";
import { PATHS } from "../api/paths.js";
import type { ReplayReport } from "../api/types.js";
import { Show } from "../components/page-state.js";
import { failed, type Loaded } from "../components/use-api.js";

export function ReplayPanel(props: { text: string }) {
  const [since, setSince] = useState("7d");
  const [report, setReport] = useState<Loaded<ReplayReport> | null>(null);

  async function run() {
    setReport({ state: "loading" });
    try {
      const body = { since, ...(props.text.trim() !== "" && { draft: props.text }) };
      setReport({
        state: "ok",
        data: await api<ReplayReport>("POST", PATHS.replay, { json: body }),
      });
    } catch (err) {
      setReport(failed(err, PATHS.replay));
    }
  }

  return (
    <div>
      <div className="toolbar">
        <div className="field">
          <label htmlFor="replay-since">Recorded flows since</label>
          <input id="replay-since" value={since} onChange={(e) => setSince(e.target.value)} />
        </div>
        <button type="button" className="secondary" onClick={() => void run()}>
          Preview the editor's policy on recorded flows
        </button>
      </div>
      {report !== null && <Show loaded={report}>{(r) => <ReplaySummary report={r} />}</Show>}
    </div>
  );
}

function ReplaySummary(props: { report: ReplayReport }) {
  const r = props.report;
  const against = r.active === null ? "no active policy" : `revision #${r.active}`;
  return (
    <div data-testid="replay">
      <p>
        Against {against}, over {r.edges} recorded edges ({r.connections} connections, {r.since} to{" "}
        {r.until}): this policy{" "}
        <strong className="verdict-blocked">
          newly blocks {r.newlyBlocked.connections} connections
        </strong>{" "}
        on {r.newlyBlocked.edges} edges and{" "}
        <strong className="verdict-allowed">newly allows {r.newlyAllowed.connections}</strong> on{" "}
        {r.newlyAllowed.edges}; {r.unchanged.connections} unchanged.
        {r.unevaluated.length > 0 && ` ${r.unevaluated.length} edges could not be judged.`}
      </p>
      {r.newlyBlocked.list.length > 0 && (
        <table>
          <caption>Newly blocked</caption>
          <thead>
            <tr>
              <th scope="col">From</th>
              <th scope="col">To</th>
              <th scope="col">Port</th>
              <th scope="col">Connections</th>
              <th scope="col">Before</th>
              <th scope="col">After</th>
            </tr>
          </thead>
          <tbody>
            {r.newlyBlocked.list.slice(0, 100).map((c) => (
              <tr key={`${c.edge.from}|${c.edge.to}|${c.edge.port}|${c.edge.verdict}`}>
                <td>{c.edge.from}</td>
                <td>{c.edge.to}</td>
                <td>{c.edge.port}</td>
                <td>{c.edge.count}</td>
                <td>
                  {c.before.verdict} {c.before.rules.join(", ")}
                </td>
                <td>
                  {c.after.verdict} {c.after.rules.join(", ") || "(default)"}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {r.newlyBlocked.byApplication.length > 0 && (
        <p>
          By application:{" "}
          {r.newlyBlocked.byApplication.map((g) => `${g.key}: ${g.connections}`).join(", ")}
        </p>
      )}
    </div>
  );
}
