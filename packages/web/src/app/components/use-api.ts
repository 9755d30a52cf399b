// Loads one API resource for a view: loading, ok, error, or unavailable (the controller does
// not serve the route). `reload()` fetches again; a changed path fetches the new one.
import { useCallback, useEffect, useState } from "react";
import { ApiFailure, get, isUnavailable } from "../api/client.js";

export type Loaded<T> =
  | { readonly state: "loading" }
  | { readonly state: "ok"; readonly data: T }
  | { readonly state: "error"; readonly error: ApiFailure }
  | { readonly state: "unavailable"; readonly path: string };

export function useApi<T>(path: string | null): [Loaded<T>, () => void] {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: "loading" });
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: generation re-runs the fetch
  useEffect(() => {
    if (path === null) return;
    let live = true;
    get<T>(path).then(
      (data) => live && setLoaded({ state: "ok", data }),
      (err: unknown) => live && setLoaded(failed(err, path)),
    );
    return () => {
      live = false;
    };
  }, [path, generation]);
  return [loaded, reload];
}

export function failed<T>(err: unknown, path: string): Loaded<T> {
  if (isUnavailable(err)) return { state: "unavailable", path };
  const failure = err instanceof ApiFailure ? err : new ApiFailure(0, "MSEG_INTERNAL", String(err));
  return { state: "error", error: failure };
}
