// One request to the controller over node:http / node:https. (Node 20's global fetch cannot be
// given a CA without the undici package, so the transport uses node's own client.)
//
// Trust, decided by the caller (trust.ts):
//   - http:// URLs: no TLS;
//   - `ca` + `pinned`: that CA is the ONLY one trusted and the host name is not checked — the CA
//     is private to the controller and its fingerprint was checked, so a chain to it is the
//     identity (the agent does the same);
//   - `ca` alone (a PEM the user gave): trusted together with the usual host-name check;
//   - `insecure`: any certificate — only to fetch /api/ca.pem, which is then checked by hash.
import http from "node:http";
import https from "node:https";
import { MicrosegError } from "@microseg/core";

export interface TransportOptions {
  readonly baseUrl: string;
  readonly ca?: string;
  readonly pinned?: boolean;
  readonly insecure?: boolean;
  /** Whole-request timeout (ms); default 30 s. */
  readonly timeoutMs?: number;
}

export interface RawRequest {
  readonly method: string;
  readonly path: string;
  readonly token?: string;
  /** JSON-encoded unless `contentType` is given, then sent as is. */
  readonly body?: unknown;
  readonly contentType?: string;
}

export interface RawResponse {
  readonly status: number;
  readonly text: string;
}

export type Transport = (req: RawRequest) => Promise<RawResponse>;

export function createTransport(options: TransportOptions): Transport {
  const base = new URL(options.baseUrl);
  const secure = base.protocol === "https:";
  const tls: https.RequestOptions = {
    ...(options.ca !== undefined && { ca: options.ca }),
    rejectUnauthorized: options.insecure !== true,
    ...((options.pinned === true || options.insecure === true) && {
      checkServerIdentity: () => undefined,
    }),
  };
  return (req) => {
    const url = new URL(req.path, base);
    const { payload, headers } = encode(req);
    const send = secure ? https.request : http.request;
    return new Promise<RawResponse>((resolve, reject) => {
      const r = send(url, { method: req.method, headers, ...(secure && tls) }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({ status: res.statusCode ?? 0, text });
        });
      });
      r.setTimeout(options.timeoutMs ?? 30_000, () =>
        r.destroy(new Error(`no answer within ${(options.timeoutMs ?? 30_000) / 1000} s`)),
      );
      r.on("error", (e) => reject(unreachable(base, e)));
      r.end(payload);
    });
  };
}

function encode(req: RawRequest): { payload?: string; headers: Record<string, string> } {
  const headers: Record<string, string> = { accept: "application/json" };
  if (req.token !== undefined) headers.authorization = `Bearer ${req.token}`;
  if (req.body === undefined) return { headers };
  if (req.contentType !== undefined) {
    headers["content-type"] = req.contentType;
    return { payload: String(req.body), headers };
  }
  headers["content-type"] = "application/json";
  return { payload: JSON.stringify(req.body), headers };
}

/**
 * No answer from a controller (refused, reset, timed out, TLS failed) or an answer saying it
 * cannot serve (5xx): another replica may answer (failover.ts). MSEG_CONTROLLER_UNREACHABLE.
 */
export class UnreachableError extends MicrosegError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("MSEG_CONTROLLER_UNREACHABLE", message, options);
  }
}

/** Connection and TLS failures, with a hint for the certificate ones. */
export function unreachable(base: URL, e: Error): MicrosegError {
  const code = (e as { code?: string }).code ?? "";
  const tlsProblem = /CERT|SELF_SIGNED|SIGNATURE|UNABLE_TO_VERIFY|ALTNAME/.test(code);
  const hint = tlsProblem
    ? "; the controller's certificate is not trusted (check --ca / --ca-fingerprint)"
    : "; is the controller running there?";
  return new UnreachableError(
    `cannot reach the controller at ${base.origin}: ${e.message}${hint}`,
    { cause: e },
  );
}
