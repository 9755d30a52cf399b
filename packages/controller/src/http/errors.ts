// Every failure leaves as `{error: {code, message, details?}}` with the status the protocol maps
// from the code. Anything that is not an ApiError is a bug or a store failure: logged with its
// stack, answered as MSEG_INTERNAL without internals — the same unexpected message at most once
// a minute (a failing disk must not write a stack per request).
import { MicrosegError } from "@microseg/core";
import { ApiError } from "@microseg/protocol";
import type { Context } from "hono";
import type { Logger } from "pino";
import { ReportedError } from "../limits/agent-failure.js";
import { type LogLimiter, shortReason } from "../limits/log-limit.js";

/** 429 with `Retry-After`: a quota or the failed-authentication limit was reached. */
export class RateLimited extends ApiError {
  constructor(
    readonly retryAfterSeconds: number,
    what: string,
  ) {
    super("MSEG_API_RATE_LIMITED", `${what}; retry after ${retryAfterSeconds} s`, {
      retryAfterSeconds,
    });
  }
}

export function errorResponse(err: unknown, c: Context, log: Logger, limit: LogLimiter): Response {
  const api = toApiError(err);
  if (api.code === "MSEG_INTERNAL" && !(err instanceof ReportedError)) {
    const admitted = limit.admit(`${c.req.path}\u0000${shortReason(err)}`);
    if (admitted.log) {
      const suppressed = admitted.suppressed;
      log.error({ err, method: c.req.method, path: c.req.path, suppressed }, "request failed");
    }
  }
  if (err instanceof RateLimited) c.header("retry-after", String(err.retryAfterSeconds));
  return c.json(api.body(), api.status);
}

function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof MicrosegError) return new ApiError(err.code, err.message);
  return new ApiError("MSEG_INTERNAL", "the controller failed; see its log");
}
