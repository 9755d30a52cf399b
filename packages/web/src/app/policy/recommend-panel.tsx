// Recommended least-privilege rules learned from observed flows, with how much of the recorded
// traffic they cover; "Load into editor" replaces the editor's text (nothing is saved until the
// draft is).
import { useState } from "react";
import { get } from "../api/client.js";
import { PATHS, route } from "../api/paths.js";
import type { Recommendation } from "../api/types.js";
import { Show } from "../components/page-state.js";
import { failed, type Loaded } from "../components/use-api.js";

export function RecommendPanel(props: { onLoad: (yaml: string) => void }) {
  const [since, setSince] = useState("7d");
  const [recommendation, setRecommendation] = useState<Loaded<Recommendation> | null>(null);

  async function learn() {
    const path = route(PATHS.recommend, {}, { since });
    setRecommendation({ state: "loading" });
    try {
      setRecommendation({ state: "ok", data: await get<Recommendation>(path) });
    } catch (err) {
      setRecommendation(failed(err, path));
    }
  }

  return (
    <div>
      <div className="toolbar">
        <div className="field">
          <label htmlFor="recommend-since">Learn from flows since</label>
          <input id="recommend-since" value={since} onChange={(e) => setSince(e.target.value)} />
        </div>
        <button type="button" className="secondary" onClick={() => void learn()}>
          Recommend rules
        </button>
      </div>
      {recommendation !== null && (
        <Show loaded={recommendation}>
          {(r) => (
            <div data-testid="recommendation">
              <p>
                {r.rules.length} rules, {r.ipLists.length} IP lists; they cover{" "}
                {r.coverage.coveredConnections} of {r.coverage.connections} observed connections (
                {Math.round(r.coverage.percent)}%). {r.ignored} blocked edges were not learned from.
              </p>
              <ul>
                {r.rules.map((rule) => (
                  <li key={rule.name}>
                    <code>{rule.name}</code>: {rule.from} → {rule.to} on {rule.services.join(", ")}{" "}
                    ({rule.connections} connections)
                  </li>
                ))}
              </ul>
              <button
                type="button"
                onClick={() => props.onLoad(r.yaml)}
                disabled={r.rules.length === 0}
              >
                Load the recommendation into the editor
              </button>
            </div>
          )}
        </Show>
      )}
    </div>
  );
}
