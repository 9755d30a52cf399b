// Errors on the wire: one body shape and one HTTP status per registry code. The map is typed
// over every ErrorCode, so adding a code to the core registry without a status fails the
// typecheck. docs/errors.md states the status of each API code (a test keeps them equal).

import { type ErrorCode, MicrosegError } from "@microseg/core";
import { z } from "zod";

export const HTTP_STATUS = {
  MSEG_YAML_SYNTAX: 422,
  MSEG_YAML_TOO_LARGE: 413,
  MSEG_YAML_TOO_MANY_DOCUMENTS: 422,
  MSEG_YAML_TOO_DEEP: 422,
  MSEG_YAML_TOO_MANY_NODES: 422,
  MSEG_POLICY_UNKNOWN_FIELD: 422,
  MSEG_POLICY_WRONG_TYPE: 422,
  MSEG_POLICY_MISSING_FIELD: 422,
  MSEG_POLICY_INVALID_VALUE: 422,
  MSEG_POLICY_INVALID_NAME: 422,
  MSEG_POLICY_DUPLICATE_NAME: 422,
  MSEG_POLICY_INVALID_CIDR: 422,
  MSEG_POLICY_INVALID_PORT: 422,
  MSEG_POLICY_REVERSED_RANGE: 422,
  MSEG_POLICY_INVALID_SELECTOR: 422,
  MSEG_POLICY_INVALID_LABEL: 422,
  MSEG_POLICY_UNSUPPORTED_KIND: 422,
  MSEG_POLICY_UNDEFINED_REFERENCE: 422,
  MSEG_POLICY_TOO_MANY_RULES: 422,
  MSEG_POLICY_TOO_MANY_PORTS: 422,
  MSEG_POLICY_TEST_FAILED: 422,
  MSEG_SCENARIO_INVALID: 422,
  MSEG_FILE_UNREADABLE: 400,
  MSEG_LAB_NOT_ROOT: 500,
  MSEG_LAB_MISSING_TOOL: 500,
  MSEG_LAB_ALREADY_UP: 409,
  MSEG_LAB_NOT_UP: 409,
  MSEG_LAB_SETUP_FAILED: 500,
  MSEG_LAB_UNKNOWN_HOST: 404,
  MSEG_NFT_APPLY_FAILED: 500,
  MSEG_STORE_SCHEMA_NEWER: 503,
  MSEG_AUDIT_KEY_MISSING: 500,
  MSEG_AUDIT_KEY_INVALID: 500,
  MSEG_CA_MISMATCH: 500,
  MSEG_SECRET_FILE_UNWRITABLE: 500,
  MSEG_BACKUP_INVALID: 400,
  MSEG_DATA_DIR_IN_USE: 409,
  MSEG_DATA_DIR_NOT_EMPTY: 409,
  MSEG_USAGE: 400,
  MSEG_EXPORT_QUOTA: 422,
  MSEG_API_BAD_REQUEST: 400,
  MSEG_API_UNAUTHENTICATED: 401,
  MSEG_API_FORBIDDEN: 403,
  MSEG_API_NOT_FOUND: 404,
  MSEG_API_CONFLICT: 409,
  MSEG_API_BODY_TOO_LARGE: 413,
  MSEG_API_RATE_LIMITED: 429,
  MSEG_API_POLL_REPLACED: 409,
  MSEG_POLICY_INVALID: 422,
  MSEG_POLICY_STALE: 409,
  MSEG_POLICY_UNCHANGED: 409,
  MSEG_POLICY_TOO_COMPLEX: 422,
  MSEG_MAINTENANCE_TOKEN_REFUSED: 403,
  MSEG_AGENT_STILL_RUNNING: 409,
  MSEG_ENROL_REFUSED: 403,
  MSEG_CONTROLLER_UNREACHABLE: 502,
  MSEG_CONTROLLER_UNTRUSTED: 502,
  MSEG_INTERNAL: 500,
  MSEG_CONTROLLER_LISTEN_FAILED: 500,
  MSEG_CONTROLLER_NOT_READY: 503,
  MSEG_BUS_UNAVAILABLE: 503,
} as const satisfies Record<ErrorCode, number>;

export type HttpErrorStatus = (typeof HTTP_STATUS)[ErrorCode];

export function httpStatusFor(code: ErrorCode): HttpErrorStatus {
  return HTTP_STATUS[code];
}

/** Every error response: `{ error: { code, message, details? } }`. */
export const ErrorBodySchema = z.object({
  error: z.object({
    code: z.string().regex(/^MSEG_[A-Z0-9_]+$/),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** An error meant for an API caller: a registry code, a message and optional details. */
export class ApiError extends MicrosegError {
  readonly details: unknown;
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(code, message);
    this.name = "ApiError";
    this.details = details;
  }

  get status(): HttpErrorStatus {
    return httpStatusFor(this.code);
  }

  body(): ErrorBody {
    const error: ErrorBody["error"] = { code: this.code, message: this.message };
    if (this.details !== undefined) error.details = this.details;
    return { error };
  }
}

/** Reads an error body a client received; undefined when it is not one. */
export function parseErrorBody(value: unknown): ErrorBody | undefined {
  const parsed = ErrorBodySchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
