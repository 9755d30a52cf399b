// A minimal client of the controller's admin API for the lab: HTTPS with the lab CA as the only
// trusted root (so the connection is pinned), Bearer admin token, JSON in and out. Errors carry
// the API's own message and code ({"error": {code, message, details}}).
import { request } from "node:https";

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
export function labApi<T = unknown>(
  target: LabApiTarget,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, target.url),
      {
        method,
        ca: target.caPem,
        timeout: API_TIMEOUT_MS,
        headers: {
          authorization: `Bearer ${target.token}`,
          ...(payload !== undefined && { "content-type": "application/json" }),
        },
      },
      (res) => {
        let text = "";
        res.on("data", (d: Buffer) => {
          text += d.toString();
        });
        res.on("end", () => {
          const status = res.statusCode ?? 0;
          try {
            const json = text === "" ? undefined : (JSON.parse(text) as unknown);
            if (status >= 200 && status < 300) resolve(json as T);
            else reject(apiError(status, json, `${method} ${path}`));
          } catch (e) {
            reject(new LabApiError(status, "MSEG_INTERNAL", `${method} ${path}: ${String(e)}`));
          }
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on("error", reject);
    req.end(payload);
  });
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
