// The error-code registry. Every code is documented in docs/errors.md (a test keeps them in sync)
// and maps exhaustively to a CLI exit code; @microseg/protocol maps each to an HTTP status.

export const ERROR_CODES = {
  MSEG_YAML_SYNTAX: { exit: 2, summary: "The file is not valid YAML." },
  MSEG_YAML_TOO_LARGE: { exit: 2, summary: "A file is larger than a policy file may be." },
  MSEG_YAML_TOO_MANY_DOCUMENTS: { exit: 2, summary: "A file holds too many `---` documents." },
  MSEG_YAML_TOO_DEEP: { exit: 2, summary: "Maps and lists are nested too deep." },
  MSEG_YAML_TOO_MANY_NODES: {
    exit: 2,
    summary: "A file is too big once its aliases are expanded.",
  },
  MSEG_POLICY_UNKNOWN_FIELD: { exit: 2, summary: "A field the policy language does not know." },
  MSEG_POLICY_WRONG_TYPE: { exit: 2, summary: "A field has the wrong type." },
  MSEG_POLICY_MISSING_FIELD: { exit: 2, summary: "A required field is missing." },
  MSEG_POLICY_INVALID_VALUE: { exit: 2, summary: "A value is outside what the field accepts." },
  MSEG_POLICY_INVALID_NAME: { exit: 2, summary: "A name does not follow the naming rules." },
  MSEG_POLICY_DUPLICATE_NAME: { exit: 2, summary: "Two objects of one kind share a name." },
  MSEG_POLICY_INVALID_CIDR: { exit: 2, summary: "An address or CIDR does not parse." },
  MSEG_POLICY_INVALID_PORT: { exit: 2, summary: "A port is 0, above 65535 or not a number." },
  MSEG_POLICY_REVERSED_RANGE: { exit: 2, summary: "A port range ends before it starts." },
  MSEG_POLICY_INVALID_SELECTOR: { exit: 2, summary: "A selector is malformed." },
  MSEG_POLICY_INVALID_LABEL: { exit: 2, summary: "A label key or value is not valid." },
  MSEG_POLICY_UNSUPPORTED_KIND: {
    exit: 2,
    summary: "A document is not native microseg policy (e.g. a Kubernetes object).",
  },
  MSEG_POLICY_UNDEFINED_REFERENCE: {
    exit: 2,
    summary: "A name refers to an IP list, service or workload that is not defined.",
  },
  MSEG_POLICY_TOO_MANY_RULES: {
    exit: 2,
    summary: "The policy has more rules than one policy may have.",
  },
  MSEG_POLICY_TOO_MANY_PORTS: {
    exit: 2,
    summary: "The rules list more ports, once services are expanded, than one policy may.",
  },
  MSEG_POLICY_TEST_FAILED: { exit: 1, summary: "A `tests:` assertion does not hold." },
  MSEG_SCENARIO_INVALID: { exit: 2, summary: "A lab scenario file is invalid." },
  MSEG_FILE_UNREADABLE: { exit: 2, summary: "A file could not be read." },
  MSEG_LAB_NOT_ROOT: { exit: 3, summary: "The lab needs root (network namespaces, nftables)." },
  MSEG_LAB_MISSING_TOOL: { exit: 3, summary: "A system tool the lab needs is not installed." },
  MSEG_LAB_ALREADY_UP: { exit: 3, summary: "A lab is already up." },
  MSEG_LAB_NOT_UP: { exit: 3, summary: "No lab is up." },
  MSEG_LAB_SETUP_FAILED: { exit: 3, summary: "Building the lab failed; it was removed again." },
  MSEG_LAB_UNKNOWN_HOST: { exit: 2, summary: "No lab host has that name." },
  MSEG_NFT_APPLY_FAILED: { exit: 3, summary: "nft rejected a ruleset; the previous one stays." },
  MSEG_STORE_SCHEMA_NEWER: {
    exit: 3,
    summary: "The database was written by a newer microseg (its schema is newer than this one).",
  },
  MSEG_AUDIT_KEY_MISSING: {
    exit: 3,
    summary: "The audit log is sealed with a key, and the key file is missing.",
  },
  MSEG_AUDIT_KEY_INVALID: {
    exit: 3,
    summary: "The audit key file is unreadable, malformed, open to others, or another log's key.",
  },
  MSEG_CA_MISMATCH: {
    exit: 3,
    summary: "This controller's own CA differs from the one its replicas share in the database.",
  },
  MSEG_SECRET_FILE_UNWRITABLE: {
    exit: 3,
    summary: "A secret file (admin token, audit key) could not be written; nothing was changed.",
  },
  MSEG_BACKUP_INVALID: {
    exit: 2,
    summary: "A controller backup is damaged or incomplete (its manifest or a file's checksum).",
  },
  MSEG_DATA_DIR_IN_USE: {
    exit: 3,
    summary: "A controller is running on the data directory, so it cannot be restored into.",
  },
  MSEG_DATA_DIR_NOT_EMPTY: {
    exit: 2,
    summary: "The data directory to restore into already holds a controller's data.",
  },
  MSEG_USAGE: { exit: 2, summary: "The command line is wrong." },
  MSEG_EXPORT_QUOTA: {
    exit: 2,
    summary:
      "The export would exceed a quota of its target (AWS rules per group, groups per interface).",
  },
  MSEG_API_BAD_REQUEST: { exit: 2, summary: "A request body or parameter is malformed." },
  MSEG_API_UNAUTHENTICATED: {
    exit: 3,
    summary: "No valid token or agent credential was presented (or it was revoked).",
  },
  MSEG_API_FORBIDDEN: { exit: 3, summary: "The token may not do this." },
  MSEG_API_NOT_FOUND: {
    exit: 2,
    summary: "The workload, agent, profile or revision does not exist.",
  },
  MSEG_API_CONFLICT: { exit: 2, summary: "The change conflicts with what exists." },
  MSEG_API_BODY_TOO_LARGE: { exit: 2, summary: "The request body is larger than its route takes." },
  MSEG_API_RATE_LIMITED: {
    exit: 3,
    summary: "Too many requests (or failed authentications); retry after Retry-After seconds.",
  },
  MSEG_API_POLL_REPLACED: {
    exit: 3,
    summary: "A newer long-poll of the same agent replaced this one.",
  },
  MSEG_POLICY_INVALID: { exit: 2, summary: "A policy sent to the controller is invalid." },
  MSEG_POLICY_STALE: { exit: 2, summary: "Someone provisioned in between; review and retry." },
  MSEG_POLICY_UNCHANGED: { exit: 2, summary: "The draft equals the active revision." },
  MSEG_POLICY_TOO_COMPLEX: {
    exit: 2,
    summary: "Compiling the policy exceeded the controller's time or memory budget.",
  },
  MSEG_MAINTENANCE_TOKEN_REFUSED: {
    exit: 2,
    summary:
      "The maintenance token does not match the one the controller issued for this agent, or none was issued.",
  },
  MSEG_AGENT_STILL_RUNNING: {
    exit: 3,
    summary: "The agent process did not stop when asked, so its table cannot be removed.",
  },
  MSEG_ENROL_REFUSED: {
    exit: 3,
    summary: "The enrolment key is unknown, revoked, expired or used up.",
  },
  MSEG_CONTROLLER_UNREACHABLE: {
    exit: 3,
    summary: "The controller could not be reached, or its certificate did not match the pin.",
  },
  MSEG_CONTROLLER_UNTRUSTED: {
    exit: 3,
    summary:
      "The controller's CA is not known here and no one confirmed it; pass --ca-fingerprint.",
  },
  MSEG_INTERNAL: {
    exit: 3,
    summary: "The controller or the command failed unexpectedly (a bug; see the log or the stack).",
  },
  MSEG_CONTROLLER_LISTEN_FAILED: {
    exit: 3,
    summary: "The controller could not listen on the address given (in use, or not this host's).",
  },
  MSEG_CONTROLLER_NOT_READY: {
    exit: 3,
    summary:
      "The controller runs but cannot serve yet: its store does not answer, or it is stopping.",
  },
  MSEG_BUS_UNAVAILABLE: {
    exit: 3,
    summary: "The flow bus (--bus, NATS JetStream) did not answer or did not store a message.",
  },
} as const satisfies Record<string, { exit: number; summary: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An unexpected-but-anticipated failure carrying a registry code (thrown across I/O layers). */
export class MicrosegError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "MicrosegError";
    this.code = code;
  }
}

export function exitCodeFor(code: ErrorCode): number {
  return ERROR_CODES[code].exit;
}
