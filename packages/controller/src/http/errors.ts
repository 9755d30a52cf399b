// Every failure leaves as `{error: {code, message, details?}}` with the status the protocol maps
// from the code. Anything that is not an ApiError is a bug or a store failure: logged with its
// stack, answered as MSEG_INTERNAL without internals.
import { MicrosegError } from "@microseg/core";
import { ApiError } from "@microseg/protocol";
import type { Context } from "hono";
import type { Logger } from "pino";

export function errorResponse(err: unknown, c: Context, log: Logger): Response {
  const api = toApiError(err);
  if (api.code === "MSEG_INTERNAL") {
    log.error({ err, method: c.req.method, path: c.req.path }, "request failed");
  }
  return c.json(api.body(), api.status);
}

function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof MicrosegError) return new ApiError(err.code, err.message);
  return new ApiError("MSEG_INTERNAL", "the controller failed; see its log");
}
