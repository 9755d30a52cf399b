// A small JSON-over-HTTP(S) transport on node:http/node:https (no extra dependency, small
// resident footprint). With `ca` set, that CA is the ONLY one trusted: the chain must end at the
// controller's pinned CA. The host name is not checked against the certificate: the CA is private
// to the controller (its fingerprint is pinned out of band), so a chain to it is the identity.

import http from "node:http";
import https from "node:https";

export interface HttpResponse {
  readonly status: number;
  /** Parsed JSON, raw text for non-JSON bodies, undefined for an empty body. */
  readonly body: unknown;
  /** `Retry-After` in seconds, when the answer carries one (429, 503). */
  readonly retryAfterS?: number;
}

export interface RequestOptions {
  readonly body?: unknown;
  readonly token?: string;
  readonly signal?: AbortSignal;
  /** Whole-request timeout (ms); default 15 s. */
  readonly timeoutMs?: number;
}

export type HttpTransport = (
  method: string,
  path: string,
  options?: RequestOptions,
) => Promise<HttpResponse>;

export interface TransportOptions {
  readonly baseUrl: string;
  /** PEM of the only trusted CA (https). */
  readonly ca?: string;
  /** Accept any certificate: only for fetching the CA itself, which is then checked by hash. */
  readonly insecure?: boolean;
}

export function createHttpTransport(options: TransportOptions): HttpTransport {
  const base = new URL(options.baseUrl);
  const secure = base.protocol === "https:";
  const agent = secure
    ? new https.Agent({
        keepAlive: true,
        maxSockets: 4,
        ca: options.ca,
        rejectUnauthorized: !options.insecure,
        checkServerIdentity: () => undefined,
      })
    : new http.Agent({ keepAlive: true, maxSockets: 4 });
  return (method, path, o = {}) => {
    const url = new URL(path, base);
    const payload = o.body === undefined ? undefined : JSON.stringify(o.body);
    const headers: Record<string, string> = { accept: "application/json" };
    if (payload !== undefined) headers["content-type"] = "application/json";
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    const request = secure ? https.request : http.request;
    return new Promise((resolve, reject) => {
      const req = request(url, { method, headers, agent, signal: o.signal }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          clearTimeout(timer);
          const status = res.statusCode ?? 0;
          const body = parseBody(Buffer.concat(chunks));
          const retryAfterS = seconds(res.headers["retry-after"]);
          resolve(retryAfterS === undefined ? { status, body } : { status, body, retryAfterS });
        });
      });
      const timer = setTimeout(
        () => req.destroy(new Error(`request timed out: ${method} ${url.pathname}`)),
        o.timeoutMs ?? 15_000,
      );
      timer.unref();
      req.on("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
      req.end(payload);
    });
  };
}

/** `Retry-After: 7` -> 7; the HTTP-date form and anything else -> undefined. */
function seconds(header: string | undefined): number | undefined {
  return header !== undefined && /^\d{1,9}$/.test(header.trim()) ? Number(header) : undefined;
}

function parseBody(buf: Buffer): unknown {
  if (buf.length === 0) return undefined;
  const text = buf.toString("utf8");
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
