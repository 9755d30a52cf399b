// An agent's write the store could not take (a flow batch, a status report): the agent gets an
// error answer and retries; the log gets one short line per agent and reason a minute, never a
// stack per request (a failing disk under a thousand agents wrote 150 MB of stacks in 10 s).
import { ApiError } from "@microseg/protocol";
import type { Logger } from "pino";
import { type LogLimiter, shortReason } from "./log-limit.js";

/** An error already logged where it happened: the error handler answers it without logging. */
export class ReportedError extends ApiError {}

/**
 * Rethrows ApiErrors (expected refusals) as they are; anything else is logged (limited) and
 * becomes a ReportedError answered 500 MSEG_INTERNAL.
 */
export function agentWriteFailed(
  log: Logger,
  limit: LogLimiter,
  agentId: string,
  what: "flow batch" | "status report",
  err: unknown,
): never {
  if (err instanceof ApiError) throw err;
  const reason = shortReason(err);
  const admitted = limit.admit(`${agentId}\u0000${what}\u0000${reason}`);
  if (admitted.log) {
    log.error(
      { agent: agentId, reason, suppressed: admitted.suppressed },
      `${what} not stored; the agent will retry`,
    );
  }
  throw new ReportedError("MSEG_INTERNAL", `the controller could not store this ${what}; retry`);
}
