// The lab's calls to the controller's admin API, over @microseg/client's transport: HTTPS with
// the lab CA as the only trusted root (so the connection is pinned), Bearer admin token, JSON in
// and out. API errors carry the API's own message and code ({"error": {code, message, details}});
// an unreachable controller is the transport's MicrosegError.
import { createTransport, type Transport } from "@microseg/client";

export interface LabApiTarget {
  /** https://127.0.0.1:PORT (the relay into the controller namespace). */
  readonly url: string;
  readonly token: string;
  readonly caPem: string;
}

export class LabApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "LabApiError";
  }
}

export const API_TIMEOUT_MS = 15_000;

/** One API call; resolves to the parsed JSON body (undefined for 204). */
export async function labApi<T = unknown>(
  target: LabApiTarget,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await transportFor(target)({ method, path, token: target.token, body });
  let json: unknown;
  try {
    json = res.text === "" ? undefined : JSON.parse(res.text);
  } catch (e) {
    throw new LabApiError(res.status, "MSEG_INTERNAL", `${method} ${path}: ${String(e)}`);
  }
  if (res.status >= 200 && res.status < 300) return json as T;
  throw apiError(res.status, json, `${method} ${path}`);
}

/** One transport per target (its TLS options), reused across calls. */
const transports = new WeakMap<LabApiTarget, Transport>();

function transportFor(target: LabApiTarget): Transport {
  let t = transports.get(target);
  if (t === undefined) {
    t = createTransport({ baseUrl: target.url, ca: target.caPem, timeoutMs: API_TIMEOUT_MS });
    transports.set(target, t);
  }
  return t;
}

function apiError(status: number, json: unknown, what: string): LabApiError {
  const e = (json as { error?: { code?: string; message?: string; details?: unknown } })?.error;
  return new LabApiError(
    status,
    e?.code ?? "MSEG_INTERNAL",
    `${what}: ${e?.message ?? `HTTP ${status}`}`,
    e?.details,
  );
}
