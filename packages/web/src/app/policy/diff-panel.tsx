// The draft against the active revision: which rules changed and which workloads' RuleSets
// would change, entry by entry.
import type { PolicyDiff } from "../api/types.js";

export function DiffPanel(props: { diff: PolicyDiff }) {
  const d = props.diff;
  if (d.identical) {
    return <p className="ok">The draft compiles to exactly the active revision's policy.</p>;
  }
  return (
    <div>
      <p>
        Against{" "}
        {d.active === null ? "no active revision (nothing enforced yet)" : `revision #${d.active}`}:{" "}
        {d.rules.length} rule change{d.rules.length === 1 ? "" : "s"}, {d.workloads.length} workload
        {d.workloads.length === 1 ? "" : "s"} affected.
      </p>
      {d.rules.length > 0 && (
        <table>
          <caption>Rules</caption>
          <thead>
            <tr>
              <th scope="col">Rule</th>
              <th scope="col">Change</th>
            </tr>
          </thead>
          <tbody>
            {d.rules.map((r) => (
              <tr key={r.id}>
                <td>{r.id}</td>
                <td>{r.change}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {d.workloads.length > 0 && (
        <table>
          <caption>Workloads whose enforced rules change</caption>
          <thead>
            <tr>
              <th scope="col">Workload</th>
              <th scope="col">Change</th>
              <th scope="col">Entries added</th>
              <th scope="col">Entries removed</th>
            </tr>
          </thead>
          <tbody>
            {d.workloads.map((w) => (
              <tr key={w.workload}>
                <td>{w.workload}</td>
                <td>{w.change}</td>
                <td>
                  <EntryList entries={w.added} />
                </td>
                <td>
                  <EntryList entries={w.removed} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function EntryList(props: { entries: readonly string[] }) {
  if (props.entries.length === 0) return <span className="muted">none</span>;
  return (
    <ul>
      {props.entries.map((e) => (
        <li key={e}>
          <code>{e}</code>
        </li>
      ))}
    </ul>
  );
}
