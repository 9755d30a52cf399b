// Every limit of the controller's front door and agent channel, with its default, in one place.
// `microseg controller` flags override the ones an operator may need to (docs/cli.md); the rest
// are settings for tests and embedders. Why each default is what it is: docs/design/controller.md
// ("Limits").

import { MAX_FLOW_RECORDS } from "@microseg/protocol";

const KiB = 1024;
const MiB = 1024 * KiB;

export interface LimitSettings {
  /** Concurrent connections from one client address (IPv6: one /64); beyond it, closed at once. */
  readonly connectionsPerClient: number;
  /** Concurrent connections in all; undefined: 3/4 of the process's file descriptor limit. */
  readonly connections?: number;
  /** A TLS handshake not done by then is cut (ms). */
  readonly handshakeTimeoutMs: number;
  /** A request whose headers have not all arrived by then is cut (ms). */
  readonly headersTimeoutMs: number;
  /** A request (headers and body) not received by then is cut (ms); a held answer is not. */
  readonly requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this (ms). */
  readonly keepAliveTimeoutMs: number;
  /** Failed authentications per client address: a burst, then this many per second. */
  readonly authFailureBurst: number;
  readonly authFailuresPerSecond: number;
  /** Flow records per agent: a burst, then this many per second (a batch costs +100). */
  readonly flowRecordBurst: number;
  readonly flowRecordsPerSecond: number;
  /** Status reports per agent. */
  readonly statusBurst: number;
  readonly statusPerSecond: number;
  /** Policy requests (long-polls) per agent; at most one is ever held. */
  readonly pollBurst: number;
  readonly pollsPerSecond: number;
}

export const DEFAULT_LIMITS: LimitSettings = {
  connectionsPerClient: 256,
  handshakeTimeoutMs: 10_000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 120_000,
  keepAliveTimeoutMs: 15_000,
  authFailureBurst: 30,
  authFailuresPerSecond: 0.5,
  flowRecordBurst: 3 * MAX_FLOW_RECORDS,
  flowRecordsPerSecond: 50_000,
  statusBurst: 60,
  statusPerSecond: 2,
  pollBurst: 60,
  pollsPerSecond: 5,
};

/** What a flow batch costs besides its records: the request itself (auth, parse, commit). */
export const FLOW_BATCH_COST = 100;

/**
 * Request body limits (bytes), per route, checked from Content-Length before a byte of the body
 * is read (a chunked body is counted as it streams). The route table names each route's limit.
 */
export const BODY_LIMITS = {
  /** Enrolment: the key, a hostname and at most 64 interfaces of 256 addresses fit in 64 KiB. */
  enrol: 64 * KiB,
  /** A status report: 100 events of 4,096 characters, UTF-8, with room to spare. */
  status: 2 * MiB,
  /** A flow batch: MAX_FLOW_RECORDS records of the longest form (about 255 bytes each). */
  flows: 16 * MiB,
  /** Policy text (the draft, a replay's draft): the largest bodies the API takes. */
  policy: 8 * MiB,
  /** Every other JSON body, and any route not in the table. */
  json: 256 * KiB,
} as const;
