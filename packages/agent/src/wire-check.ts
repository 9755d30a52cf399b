// What the controller sends is parsed with the protocol's schemas, so a malformed answer is an
// error here and never a half-understood RuleSet handed to the driver.

import type { RuleSet } from "@microseg/core";
import { EnrolResponseSchema, PolicyResponseSchema } from "@microseg/protocol/agent";
import type { EnrolResponse, PolicyResponse } from "./wire.js";

export function parseEnrolResponse(body: unknown): EnrolResponse {
  const parsed = EnrolResponseSchema.safeParse(body);
  if (!parsed.success) throw new Error(`enrol: malformed answer: ${parsed.error.message}`);
  return parsed.data;
}

/** The policy message; its RuleSet typed as core's (the protocol mirrors it exactly). */
export function parsePolicyResponse(body: unknown): PolicyResponse & { ruleSet: RuleSet | null } {
  const parsed = PolicyResponseSchema.safeParse(body);
  if (!parsed.success) throw new Error(`policy: malformed answer: ${parsed.error.message}`);
  return parsed.data;
}
