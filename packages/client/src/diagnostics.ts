// The diagnostics a refused policy carries: a 422 MSEG_POLICY_INVALID answer has them under
// `details.diagnostics`, with the file and line of the draft text.
import { ApiError, PolicyDiagnosticSchema } from "@microseg/protocol";
import { z } from "zod";

export type PolicyDiagnostic = z.infer<typeof PolicyDiagnosticSchema>;

const Details = z.object({ diagnostics: z.array(PolicyDiagnosticSchema) });

/** The diagnostics when `err` is an MSEG_POLICY_INVALID answer that lists them, else undefined. */
export function policyDiagnostics(err: unknown): PolicyDiagnostic[] | undefined {
  if (!(err instanceof ApiError) || err.code !== "MSEG_POLICY_INVALID") return undefined;
  const parsed = Details.safeParse(err.details);
  return parsed.success ? parsed.data.diagnostics : undefined;
}
