// How a view shows what is not data: loading, an error with the controller's code, or a feature
// this controller does not serve (never a made-up placeholder).
import type { ReactNode } from "react";
import type { ApiFailure } from "../api/client.js";
import type { Loaded } from "./use-api.js";

export function Show<T>(props: { loaded: Loaded<T>; children: (data: T) => ReactNode }) {
  const { loaded } = props;
  switch (loaded.state) {
    case "loading":
      return <p className="muted">Loading…</p>;
    case "unavailable":
      return <Unavailable path={loaded.path} />;
    case "error":
      return <ErrorMessage error={loaded.error} />;
    case "ok":
      return <>{props.children(loaded.data)}</>;
  }
}

export function Unavailable(props: { path: string }) {
  const route = props.path.split("?")[0];
  return (
    <p className="unavailable" role="status">
      Not available on this controller: it does not serve <code>{route}</code>. A newer controller
      adds it.
    </p>
  );
}

export function ErrorMessage(props: { error: ApiFailure | Error | string }) {
  const e = props.error;
  const text = typeof e === "string" ? e : e.message;
  const code = typeof e === "object" && "code" in e ? e.code : undefined;
  return (
    <p className="error" role="alert">
      {code !== undefined && <code>{code}</code>} {text}
    </p>
  );
}
