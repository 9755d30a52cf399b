// Impact preview: recorded flows replayed against the saved draft ("this change newly blocks 37
// flows"), from the controller's replay route when it serves one.
import { PATHS } from "../api/paths.js";
import { Show } from "../components/page-state.js";
import { useApi } from "../components/use-api.js";

export function ReplayPanel() {
  const [replay] = useApi<unknown>(PATHS.replay);
  return <Show loaded={replay}>{(r) => <pre>{JSON.stringify(r, null, 2)}</pre>}</Show>;
}
