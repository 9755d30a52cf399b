// An alert's evidence as the detector recorded it: its flows as a table (with the deciding rule
// when known), port lists inline, anything else as JSON. Unknown shapes are shown, not dropped.
interface EvidenceFlow {
  readonly from?: string;
  readonly to?: string;
  readonly port?: string;
  readonly verdict?: string;
  readonly count?: number;
  readonly rule?: string;
}

export function AlertEvidence(props: { evidence: unknown }) {
  const e = props.evidence;
  if (typeof e !== "object" || e === null || Array.isArray(e)) {
    return <pre>{JSON.stringify(e, null, 2)}</pre>;
  }
  const { flows, ports, ...rest } = e as { flows?: unknown; ports?: unknown };
  return (
    <>
      {Array.isArray(flows) && flows.length > 0 && <FlowList flows={flows as EvidenceFlow[]} />}
      {Array.isArray(ports) && (
        <p>
          Ports ({ports.length}): {ports.map(String).join(", ")}
        </p>
      )}
      {Object.keys(rest).length > 0 && <pre>{JSON.stringify(rest, null, 2)}</pre>}
    </>
  );
}

function FlowList(props: { flows: readonly EvidenceFlow[] }) {
  return (
    <table>
      <caption>Flows</caption>
      <thead>
        <tr>
          <th scope="col">From</th>
          <th scope="col">To</th>
          <th scope="col">Port</th>
          <th scope="col">Verdict</th>
          <th scope="col">Count</th>
          <th scope="col">Rule</th>
        </tr>
      </thead>
      <tbody>
        {props.flows.map((f, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: evidence flows may repeat
          <tr key={i}>
            <td>{f.from}</td>
            <td>{f.to}</td>
            <td>{f.port}</td>
            <td className={`verdict-${f.verdict}`}>{f.verdict}</td>
            <td>{f.count}</td>
            <td>{f.rule ?? <span className="muted">default</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
