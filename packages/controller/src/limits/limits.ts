// The controller's live limit state: per-agent quotas, failed authentications per client address,
// and repeated-log suppression. One per controller, in the context (ctx.limits).

import { DEFAULT_LIMITS, type LimitSettings } from "./defaults.js";
import { LogLimiter } from "./log-limit.js";
import { TokenBuckets } from "./token-buckets.js";

export class Limits {
  /** Flow records per agent id (a batch costs its records + FLOW_BATCH_COST). */
  readonly flowRecords: TokenBuckets;
  /** Status reports per agent id. */
  readonly status: TokenBuckets;
  /** Policy requests per agent id. */
  readonly polls: TokenBuckets;
  /** Failed authentications per client key (client-key.ts). */
  readonly authFailures: TokenBuckets;
  /** Repeated error lines (per agent and reason): one a minute. */
  readonly log = new LogLimiter();

  constructor(
    readonly settings: LimitSettings = DEFAULT_LIMITS,
    now?: () => number,
  ) {
    const s = settings;
    this.flowRecords = new TokenBuckets(s.flowRecordsPerSecond, s.flowRecordBurst, 100_000, now);
    this.status = new TokenBuckets(s.statusPerSecond, s.statusBurst, 100_000, now);
    this.polls = new TokenBuckets(s.pollsPerSecond, s.pollBurst, 100_000, now);
    this.authFailures = new TokenBuckets(s.authFailuresPerSecond, s.authFailureBurst, 100_000, now);
  }
}
