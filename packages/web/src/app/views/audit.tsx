// Audit log: every change with its actor, oldest first, a page at a time (after a sequence
// number; the controller says whether there is a next page), and a check of the keyed chain.
import { useState } from "react";
import { get } from "../api/client.js";
import { PATHS, route } from "../api/paths.js";
import type { AuditList, AuditVerdict } from "../api/types.js";
import { ErrorMessage, Show } from "../components/page-state.js";
import { useApi } from "../components/use-api.js";

const PAGE = 50;

export function AuditView() {
  const [starts, setStarts] = useState<number[]>([0]);
  const [target, setTarget] = useState("");
  const [applied, setApplied] = useState("");
  const afterSeq = starts[starts.length - 1] ?? 0;
  const [page] = useApi<AuditList>(
    route(PATHS.audit, {}, { afterSeq, limit: PAGE, target: applied }),
  );
  const [verdict, setVerdict] = useState<AuditVerdict | string | null>(null);

  async function verify() {
    try {
      setVerdict(await get<AuditVerdict>(PATHS.auditVerify));
    } catch (err) {
      setVerdict(err instanceof Error ? err.message : String(err));
    }
  }

  return (
    <section>
      <h1>Audit log</h1>
      <form
        className="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          setStarts([0]);
          setApplied(target.trim());
        }}
      >
        <div className="field">
          <label htmlFor="audit-target">Target (exact)</label>
          <input
            id="audit-target"
            placeholder="workload/web-1"
            value={target}
            onChange={(e) => setTarget(e.target.value)}
          />
        </div>
        <button type="submit">Filter</button>
        <button type="button" className="secondary" onClick={() => void verify()}>
          Verify the hash chain
        </button>
      </form>
      {verdict !== null && <VerdictLine verdict={verdict} />}
      <Show loaded={page}>
        {(p) => (
          <>
            <table>
              <caption>
                {p.entries.length === 0 ? "No entries." : `Entries after #${afterSeq}`}
              </caption>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">When</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Action</th>
                  <th scope="col">Target</th>
                </tr>
              </thead>
              <tbody>
                {p.entries.map((e) => (
                  <tr key={e.seq}>
                    <td>{e.seq}</td>
                    <td>{e.at}</td>
                    <td>{e.actor}</td>
                    <td>{e.action}</td>
                    <td>{e.target}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div className="pager">
              <button
                type="button"
                className="secondary"
                disabled={starts.length === 1}
                onClick={() => setStarts(starts.slice(0, -1))}
              >
                Previous page
              </button>
              <button
                type="button"
                className="secondary"
                disabled={!p.next}
                onClick={() =>
                  setStarts([...starts, p.entries[p.entries.length - 1]?.seq ?? afterSeq])
                }
              >
                Next page
              </button>
            </div>
          </>
        )}
      </Show>
    </section>
  );
}

function VerdictLine(props: { verdict: AuditVerdict | string }) {
  const v = props.verdict;
  if (typeof v === "string") return <ErrorMessage error={v} />;
  if (v.ok) {
    return (
      <p className="ok" role="status">
        The chain holds: {v.count} entries
        {v.head !== null && `, head #${v.head.seq} ${v.head.hash.slice(0, 16)}…`}
      </p>
    );
  }
  return <ErrorMessage error={`Entry #${v.seq}: ${v.problem}. ${v.message}`} />;
}
