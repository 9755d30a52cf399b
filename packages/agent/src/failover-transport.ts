// Several controller URLs (replicas of one controller: one CA, one shared store) behind one
// HttpTransport. Every request of the agent — long-poll, status reports, flow batches, events —
// goes to the CURRENT URL, so they all follow it:
//
//   request ──► current ──answer < 500──────────────► returned (a 4xx is the controller's
//                  │                                   decision: returned as is, no failover)
//                  └─network error, timeout, 5xx──► current := next (round robin); requests still
//                                                   in flight there are aborted (and move too);
//                                                   the same request goes to the new current at
//                                                   once, each URL at most once per request
//   every URL failed ──► the last failure is the caller's: its backoff paces the full rounds
//
// A request may therefore reach two controllers (sent to the first, no answer, sent again): the
// agent's requests are all safe to repeat (the long-poll reads; status reports and flow batches
// are at-least-once, a flow batch's per-agent seq makes it once at the controller).

import type { Logger } from "pino";
import { createHttpTransport, type HttpResponse, type HttpTransport } from "./http-transport.js";

export interface FailoverOptions {
  readonly urls: readonly string[];
  readonly transportFor: (url: string) => HttpTransport;
  /**
   * A request was answered by another controller than the one that answered before, after
   * `reason` (the failure that moved it).
   */
  readonly onFailover?: (from: string, to: string, reason: string) => void;
}

type Outcome = { readonly response: HttpResponse } | { readonly error: unknown };

export function createFailoverTransport(o: FailoverOptions): HttpTransport {
  const transports = o.urls.map((url) => o.transportFor(url));
  const only = transports[0];
  if (only === undefined) throw new Error("createFailoverTransport: no controller URL");
  if (transports.length === 1) return only;
  const n = transports.length;
  const inFlight = transports.map(() => new Set<AbortController>());
  let current = 0;
  /** The URL that answered last; undefined before the first answer. */
  let answered: number | undefined;

  const moveFrom = (i: number) => {
    if (current !== i) return; // another request moved it already
    current = (i + 1) % n;
    for (const request of inFlight[i] ?? []) request.abort();
  };

  const send = async (
    i: number,
    method: string,
    path: string,
    options: Parameters<HttpTransport>[2] = {},
  ): Promise<HttpResponse> => {
    const own = new AbortController();
    const outer = options.signal;
    const abort = () => own.abort();
    if (outer?.aborted) own.abort();
    outer?.addEventListener("abort", abort, { once: true });
    inFlight[i]?.add(own);
    try {
      return await (transports[i] as HttpTransport)(method, path, {
        ...options,
        signal: own.signal,
      });
    } finally {
      inFlight[i]?.delete(own);
      outer?.removeEventListener("abort", abort);
    }
  };

  return async (method, path, options = {}) => {
    const start = current;
    let last: Outcome | undefined;
    for (let k = 0; k < n; k += 1) {
      const i = (start + k) % n;
      try {
        const response = await send(i, method, path, options);
        if (response.status < 500) {
          settle(i, k > 0, last);
          return response;
        }
        last = { response };
      } catch (error) {
        if (options.signal?.aborted) throw error;
        last = { error };
      }
      moveFrom(i);
    }
    if (last !== undefined && "response" in last) return last.response;
    throw (last as { error: unknown }).error;
  };

  /**
   * `i` answered. After a move (`moved`) it becomes current and, when another URL answered
   * before, the failover is told. An answer without a move changes nothing: it may come from a
   * request that left before another request moved on (a long-poll held there).
   */
  function settle(i: number, moved: boolean, last: Outcome | undefined): void {
    if (moved) current = i;
    else if (answered !== undefined) return;
    const before = answered;
    answered = i;
    if (before === undefined || before === i) return;
    o.onFailover?.(o.urls[before] ?? "", o.urls[i] ?? "", reason(last));
  }
}

function reason(last: Outcome | undefined): string {
  if (last === undefined) return "";
  if ("response" in last) return `answered ${last.response.status}`;
  return (last.error as Error)?.message ?? String(last.error);
}

/**
 * The agent's transport to its controllers (main.ts, enrol.ts, the lifecycle events): one
 * node:http(s) transport per URL with the same trust, failover between them, each failover
 * logged as a warning naming both controllers.
 */
export function controllerTransport(
  urls: readonly string[],
  trust: { readonly ca?: string; readonly insecure?: boolean },
  log?: Pick<Logger, "warn">,
): HttpTransport {
  return createFailoverTransport({
    urls,
    transportFor: (baseUrl) => createHttpTransport({ baseUrl, ...trust }),
    ...(log && {
      onFailover: (from: string, to: string, why: string) =>
        log.warn({ from, to, reason: why }, `controller failover: ${from} -> ${to}`),
    }),
  });
}
