// A problem found by a hand-written check, before it knows where in the document it sits.

import type { ErrorCode } from "../errors.js";

export interface Problem {
  readonly code: ErrorCode;
  readonly message: string;
}

export function problem(code: ErrorCode, message: string): Problem {
  return { code, message };
}
