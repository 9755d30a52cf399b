// How the API refuses a policy text that did not load: over one of the parser's limits, with that
// limit's own code (MSEG_YAML_TOO_LARGE answers 413, the others 422); otherwise
// MSEG_POLICY_INVALID. Either way every diagnostic is in details.diagnostics.
import { type Diagnostic, POLICY_LIMIT_CODES } from "@microseg/core";
import { ApiError } from "@microseg/protocol";

/** `what`: the subject of the message ("the policy", "the draft"); `consequence` ends it. */
export function policyRefusal(
  diagnostics: readonly Diagnostic[],
  what: string,
  consequence?: string,
): ApiError {
  const end = consequence === undefined ? "" : `; ${consequence}`;
  const limit = diagnostics.find((d) => POLICY_LIMIT_CODES.has(d.code));
  if (limit !== undefined) {
    return new ApiError(limit.code, `${what} is over a limit: ${limit.message}${end}`, {
      diagnostics,
    });
  }
  const n = diagnostics.length;
  return new ApiError(
    "MSEG_POLICY_INVALID",
    `${what} has ${n} problem${n === 1 ? "" : "s"}${end}`,
    {
      diagnostics,
    },
  );
}
