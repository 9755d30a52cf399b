// What the map's selection opens: a group (its workloads, expand/collapse), a workload (its
// labels, mode and blast radius), or an edge (its flows and the rules that decided them).
import { PATHS, route } from "../api/paths.js";
import type { FlowEdgeList } from "../api/types.js";
import { Show } from "../components/page-state.js";
import { useApi } from "../components/use-api.js";
import { FlowTable } from "../views/flow-table.js";
import { BlastRadius } from "./blast-radius.js";
import type { Selection } from "./cy-canvas.js";
import { flowsOf, type Graph, type GraphEdge } from "./graph.js";

export function MapSidePanel(props: {
  graph: Graph;
  selection: Selection;
  since: string;
  expanded: ReadonlySet<string>;
  onExpand: (id: string) => void;
  onCollapse: (id: string) => void;
  onHighlight: (ids: ReadonlySet<string>) => void;
}) {
  const s = props.selection;
  if (s === null) {
    return (
      <aside className="side-panel" aria-label="Selection">
        <h2>Selection</h2>
        <p className="muted">Select a node or an edge on the map.</p>
        {props.expanded.size > 0 && <p>Expanded: {[...props.expanded].join(", ")}</p>}
      </aside>
    );
  }
  if (s.kind === "edge") {
    const edge = props.graph.edges.find((e) => e.id === s.id);
    return (
      <aside className="side-panel" aria-label="Selected edge">
        {edge === undefined ? (
          <p>That edge is no longer on the map.</p>
        ) : (
          <EdgeDetail edge={edge} graph={props.graph} since={props.since} />
        )}
      </aside>
    );
  }
  const node = props.graph.nodes.find((n) => n.id === s.id);
  return (
    <aside className="side-panel" aria-label="Selected node">
      <h2>{node?.label ?? s.id}</h2>
      {node === undefined ? (
        <p>An address no workload owns.</p>
      ) : (
        <>
          <p>
            {node.kind}
            {node.mode !== undefined && ` · mode ${node.mode}`}
          </p>
          {node.labels !== undefined && (
            <p>
              {Object.entries(node.labels)
                .map(([k, v]) => `${k}=${v}`)
                .join(", ")}
            </p>
          )}
          {node.kind === "group" && (
            <>
              <button type="button" onClick={() => props.onExpand(node.id)}>
                Expand {node.id} into its workloads
              </button>
              <h3>{node.members?.length ?? 0} workloads</h3>
              <ul>
                {(node.members ?? []).map((m) => (
                  <li key={m}>{m}</li>
                ))}
              </ul>
            </>
          )}
          {node.kind === "workload" && (
            <BlastRadius workload={node.id} graph={props.graph} onHighlight={props.onHighlight} />
          )}
          {node.kind === "workload" && (
            <CollapseButton
              labels={node.labels ?? {}}
              expanded={props.expanded}
              onCollapse={props.onCollapse}
            />
          )}
        </>
      )}
    </aside>
  );
}

function CollapseButton(props: {
  labels: Record<string, string>;
  expanded: ReadonlySet<string>;
  onCollapse: (id: string) => void;
}) {
  const group = groupOf(props.labels, props.expanded);
  if (group === undefined) return null;
  return (
    <button type="button" className="secondary" onClick={() => props.onCollapse(group)}>
      Collapse {group}
    </button>
  );
}

/** The expanded group (`key=value`) whose label this workload carries. */
function groupOf(
  labels: Record<string, string>,
  expanded: ReadonlySet<string>,
): string | undefined {
  return [...expanded].find((g) => {
    const [k, v] = g.split("=");
    return k !== undefined && labels[k] === v;
  });
}

function EdgeDetail(props: { edge: GraphEdge; graph: Graph; since: string }) {
  const e = props.edge;
  const [flows] = useApi<FlowEdgeList>(
    route(PATHS.flows, {}, { port: e.port, verdict: e.verdict, since: props.since, limit: 20_000 }),
  );
  return (
    <>
      <h2>
        {e.from} → {e.to}
      </h2>
      <p>
        {e.port} · <span className={`verdict-${e.shownAs}`}>{e.shownAs}</span> · {e.count}{" "}
        connections · last {e.lastSeen}
      </p>
      <p data-testid="edge-outcomes">
        <span className={e.failed ? "outcome-failed" : undefined}>{e.outcome}</span>:{" "}
        {e.outcomes.established} established, {e.outcomes.refused} refused, {e.outcomes.unanswered}{" "}
        unanswered
      </p>
      <Show loaded={flows}>
        {(f) => (
          <FlowTable
            edges={flowsOf(e, f.edges, props.graph.nodes)}
            caption="Flows on this edge and the rule that decided each"
          />
        )}
      </Show>
    </>
  );
}
