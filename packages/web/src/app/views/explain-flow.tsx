// "Why?" for a recorded flow: the decision path (which end, which mode, which rule, which labels
// matched) under the revision that was active when the flow was last seen.
import { useState } from "react";
import { get } from "../api/client.js";
import { PATHS, route } from "../api/paths.js";
import type { FlowEdge, FlowExplain } from "../api/types.js";
import { Show } from "../components/page-state.js";
import { failed, type Loaded } from "../components/use-api.js";

export function ExplainFlow(props: { edge: FlowEdge }) {
  const [explain, setExplain] = useState<Loaded<FlowExplain> | null>(null);
  const e = props.edge;

  async function run() {
    const path = route(
      PATHS.explainFlow,
      {},
      { from: e.from, to: e.to, port: e.port, at: e.lastSeen },
    );
    setExplain({ state: "loading" });
    try {
      setExplain({ state: "ok", data: await get<FlowExplain>(path) });
    } catch (err) {
      setExplain(failed(err, path));
    }
  }

  if (explain === null) {
    return (
      <button type="button" className="secondary" onClick={() => void run()}>
        Explain
      </button>
    );
  }
  return (
    <Show loaded={explain}>
      {(x) => (
        <div className="explain">
          <strong className={`verdict-${x.decision.verdict}`}>{x.decision.verdict}</strong> under{" "}
          {x.revision === null ? "no revision" : `revision #${x.revision}`}
          <ol>
            {x.decision.steps.map((s) => (
              <li key={`${s.at}-${s.direction}`}>
                {s.at} {s.workload} ({s.direction}, {s.mode}): {s.policy}
                {s.rule !== undefined && (
                  <>
                    {" "}
                    by <code>{s.rule.id}</code> ({s.rule.action})
                  </>
                )}{" "}
                — {s.reason}
              </li>
            ))}
          </ol>
        </div>
      )}
    </Show>
  );
}
