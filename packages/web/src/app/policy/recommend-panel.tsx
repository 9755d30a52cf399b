// Recommended least-privilege rules learned from observed flows; "Load into editor" replaces
// the editor's text with the recommendation (nothing is saved until the draft is).
import { PATHS } from "../api/paths.js";
import { Show } from "../components/page-state.js";
import { useApi } from "../components/use-api.js";

export function RecommendPanel(props: { onLoad: (yaml: string) => void }) {
  const [recommendation] = useApi<{ text?: string }>(PATHS.recommend);
  return (
    <Show loaded={recommendation}>
      {(r) =>
        r.text === undefined ? (
          <p className="muted">The controller has no recommendation yet.</p>
        ) : (
          <button type="button" onClick={() => props.onLoad(r.text ?? "")}>
            Load recommended rules into the editor
          </button>
        )
      }
    </Show>
  );
}
