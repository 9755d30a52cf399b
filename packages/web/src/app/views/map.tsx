// The application map: observed traffic between groups of workloads (grouped by any label),
// edges coloured by verdict; a group expands into its workloads, an edge opens its flows and the
// rules that decided them, a workload shows its blast radius. Starts grouped, so an estate of
// thousands of workloads opens as a handful of nodes. Failed contacts (connections nothing
// answered: scans, stale configuration, services down) stay hidden until asked for, then are
// drawn apart.
import { useMemo, useState } from "react";
import { PATHS, route } from "../api/paths.js";
import type { FlowEdgeList, MapWire } from "../api/types.js";
import { Show } from "../components/page-state.js";
import { useApi } from "../components/use-api.js";
import { CyCanvas, type Selection } from "../map/cy-canvas.js";
import { composeGraph, type Graph, withoutFailed } from "../map/graph.js";
import { MapSidePanel } from "../map/side-panel.js";

const GROUP_KEYS = ["app", "env", "role", "tenant", "loc"];
const RANGES = [
  { value: "1h", label: "last hour" },
  { value: "24h", label: "last 24 hours" },
  { value: "7d", label: "last 7 days" },
  { value: "", label: "all retained" },
];

export function MapView() {
  const [groupBy, setGroupBy] = useState("app");
  const [since, setSince] = useState("24h");
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const [selection, setSelection] = useState<Selection>(null);
  const [highlight, setHighlight] = useState<ReadonlySet<string>>(new Set());
  const [showFailed, setShowFailed] = useState(false);
  const [grouped] = useApi<MapWire>(
    groupBy === "" ? null : route(PATHS.map, {}, { groupBy, since }),
  );
  const needDetail = groupBy === "" || expanded.size > 0;
  const [detailed] = useApi<MapWire>(needDetail ? route(PATHS.map, {}, { since }) : null);
  const [flows] = useApi<FlowEdgeList>(route(PATHS.flows, {}, { since, limit: 20_000 }));

  const base = groupBy === "" ? detailed : grouped;
  const flowEdges = flows.state === "ok" ? flows.data.edges : undefined;
  const composed: Graph | undefined = useMemo(() => {
    if (base.state !== "ok") return undefined;
    const detail = detailed.state === "ok" ? detailed.data : undefined;
    return composeGraph(base.data, detail, groupBy === "" ? new Set() : expanded, flowEdges);
  }, [base, detailed, expanded, flowEdges, groupBy]);
  const failed = composed?.edges.filter((e) => e.failed).length ?? 0;
  const graph = useMemo(
    () => (composed === undefined || showFailed ? composed : withoutFailed(composed)),
    [composed, showFailed],
  );

  const keys = [
    ...new Set([...GROUP_KEYS, ...labelKeysOf(grouped.state === "ok" ? grouped.data : undefined)]),
  ];
  return (
    <section>
      <h1>Map</h1>
      <div className="toolbar">
        <div className="field">
          <label htmlFor="map-group">Group by label</label>
          <select
            id="map-group"
            value={groupBy}
            onChange={(e) => {
              setGroupBy(e.target.value);
              setExpanded(new Set());
              setSelection(null);
            }}
          >
            {keys.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
            <option value="">no grouping (every workload)</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="map-since">Time range</label>
          <select id="map-since" value={since} onChange={(e) => setSince(e.target.value)}>
            {RANGES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </select>
        </div>
        <label>
          <input
            type="checkbox"
            checked={showFailed}
            onChange={(e) => setShowFailed(e.target.checked)}
          />
          Show failed contacts ({failed})
        </label>
        {expanded.size > 0 && (
          <button type="button" className="secondary" onClick={() => setExpanded(new Set())}>
            Collapse all groups
          </button>
        )}
      </div>
      <ul className="legend" aria-label="Edge colours">
        <li className="verdict-allowed">allowed by a rule</li>
        <li className="verdict-not-covered">allowed, no rule covers it (dashed)</li>
        <li className="verdict-would-block">would be blocked (test mode)</li>
        <li className="verdict-blocked">blocked</li>
        {showFailed && (
          <li className="outcome-failed">failed contact: refused or unanswered (dashed)</li>
        )}
      </ul>
      <Show loaded={base}>
        {() =>
          graph === undefined ? null : (
            <div className="map-layout">
              <CyCanvas
                graph={graph}
                highlight={highlight}
                onSelect={setSelection}
                label={`Map of ${graph.nodes.length} nodes and ${graph.edges.length} edges; the same data is in the table below.`}
              />
              <MapSidePanel
                graph={graph}
                selection={selection}
                since={since}
                expanded={expanded}
                onExpand={(id) => setExpanded(new Set([...expanded, id]))}
                onCollapse={(id) => setExpanded(new Set([...expanded].filter((x) => x !== id)))}
                onHighlight={setHighlight}
              />
            </div>
          )
        }
      </Show>
      {graph !== undefined && <MapTable graph={graph} onSelect={setSelection} />}
    </section>
  );
}

function labelKeysOf(map: MapWire | undefined): string[] {
  const keys = new Set<string>();
  for (const n of map?.nodes ?? []) for (const k of Object.keys(n.labels ?? {})) keys.add(k);
  return [...keys].sort();
}

/** Past these sizes the lists start folded (they stay in the page for screen readers). */
const OPEN_EDGES = 60;
const OPEN_NODES = 200;

/** The map as lists: the same data as the drawing, for keyboards and screen readers. */
function MapTable(props: { graph: Graph; onSelect: (s: Selection) => void }) {
  const { graph } = props;
  return (
    <>
      <details open={graph.nodes.length <= OPEN_NODES}>
        <summary>Nodes ({graph.nodes.length}): select one</summary>
        <ul className="node-list">
          {graph.nodes.map((n) => (
            <li key={n.id}>
              <button
                type="button"
                className="secondary"
                data-node={n.id}
                onClick={() => props.onSelect({ kind: "node", id: n.id })}
              >
                {n.id}
              </button>
            </li>
          ))}
        </ul>
      </details>
      <details open={graph.edges.length <= OPEN_EDGES}>
        <summary>Edges ({graph.edges.length}) as a table</summary>
        <table data-testid="map-edges">
          <thead>
            <tr>
              <th scope="col">From</th>
              <th scope="col">To</th>
              <th scope="col">Port</th>
              <th scope="col">Verdict</th>
              <th scope="col">Outcome</th>
              <th scope="col">Connections</th>
              <th scope="col">Last seen</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {graph.edges.map((e) => (
              <tr key={e.id}>
                <td>{e.from}</td>
                <td>{e.to}</td>
                <td>{e.port}</td>
                <td className={`verdict-${e.shownAs}`}>{e.shownAs}</td>
                <td className={e.failed ? "outcome-failed" : undefined}>{e.outcome}</td>
                <td>{e.count}</td>
                <td>{e.lastSeen}</td>
                <td>
                  <button
                    type="button"
                    className="secondary"
                    onClick={() => props.onSelect({ kind: "edge", id: e.id })}
                  >
                    Flows of {e.from} → {e.to} {e.port}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </>
  );
}
