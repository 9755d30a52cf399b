// A table of flow edges (used by the flows explorer and the map's edge drill-down).
import type { FlowEdge } from "../api/types.js";
import { ExplainFlow } from "./explain-flow.js";

export function FlowTable(props: { edges: readonly FlowEdge[]; caption?: string }) {
  if (props.edges.length === 0) return <p className="muted">No flows match.</p>;
  return (
    <table>
      <caption>{props.caption ?? `${props.edges.length} flow edges`}</caption>
      <thead>
        <tr>
          <th scope="col">From</th>
          <th scope="col">To</th>
          <th scope="col">Port</th>
          <th scope="col">Verdict</th>
          <th scope="col">Count</th>
          <th scope="col">First seen</th>
          <th scope="col">Last seen</th>
          <th scope="col">Rule</th>
          <th scope="col">Why</th>
        </tr>
      </thead>
      <tbody>
        {props.edges.map((e) => (
          <tr key={`${e.from}|${e.to}|${e.port}|${e.verdict}`}>
            <td>{e.from}</td>
            <td>{e.to}</td>
            <td>{e.port}</td>
            <td className={`verdict-${e.verdict}`}>{e.verdict}</td>
            <td>{e.count}</td>
            <td>{e.firstSeen}</td>
            <td>{e.lastSeen}</td>
            <td>{e.rule ?? <span className="muted">default</span>}</td>
            <td>
              <ExplainFlow edge={e} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
