// fetch over the admin API with the session's token. Every failure becomes an ApiFailure that
// carries the controller's error code and message; a 401 also ends the session (the app shows
// the sign-in again). A route this controller does not serve is told apart by isUnavailable().
import type { ErrorBody } from "@microseg/protocol";
import { clearToken, readToken } from "./token.js";

export const SIGNED_OUT_EVENT = "microseg:signed-out";

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "ApiFailure";
  }
}

/** The controller answered "no route": this feature is not on this controller (yet). */
export function isUnavailable(err: unknown): boolean {
  return (
    err instanceof ApiFailure &&
    err.status === 404 &&
    err.code === "MSEG_API_NOT_FOUND" &&
    err.message.startsWith("no route")
  );
}

export interface RequestOptions {
  readonly json?: unknown;
  /** Sent as application/yaml (the policy draft). */
  readonly yaml?: string;
  /** Use this token instead of the session's (sign-in checks a token before keeping it). */
  readonly token?: string;
}

export async function api<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const token = opts.token ?? readToken();
  const headers: Record<string, string> = { accept: "application/json" };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (opts.yaml !== undefined) {
    headers["content-type"] = "application/yaml";
    body = opts.yaml;
  } else if (opts.json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(opts.json);
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers, ...(body !== undefined && { body }) });
  } catch (err) {
    throw new ApiFailure(0, "MSEG_CONTROLLER_UNREACHABLE", `cannot reach the controller: ${err}`);
  }
  const text = await res.text();
  const parsed = parseJson(text);
  if (!res.ok) throw failureOf(res.status, parsed, text);
  return parsed as T;
}

export const get = <T>(path: string) => api<T>("GET", path);

function failureOf(status: number, parsed: unknown, text: string): ApiFailure {
  const body = parsed as Partial<ErrorBody> | undefined;
  const error = body?.error;
  if (status === 401 && hasSession()) {
    clearToken();
    window.dispatchEvent(new Event(SIGNED_OUT_EVENT));
  }
  if (error !== undefined && typeof error.code === "string") {
    return new ApiFailure(status, error.code, error.message, error.details);
  }
  return new ApiFailure(status, "MSEG_INTERNAL", `HTTP ${status}: ${text.slice(0, 200)}`);
}

/** A 401 ends the session only when there is one (a rejected sign-in attempt has none). */
function hasSession(): boolean {
  return readToken() !== null;
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
