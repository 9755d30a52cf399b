// What the store keeps of flows, alerts and quarantines. Flows are kept as edges per time bucket
// (compact: one row per source, destination, service, verdict and bucket, however many
// connections), never as individual connections.

import type { Json } from "./records.js";

export type EdgeVerdict = "allowed" | "blocked" | "would-block";
export type EndKind = "workload" | "address";
/** What the network answered a connection: a reply, a refusal (reset, ICMP error), or nothing. */
export type EdgeOutcome = "established" | "refused" | "unanswered";
/** An edge's connections (count) by outcome: the three always sum to count. */
export interface EdgeOutcomes {
  readonly established: number;
  readonly refused: number;
  readonly unanswered: number;
}

/** One edge's contribution from one batch, in one bucket. */
export interface EdgeDelta {
  /**
   * Start of the bucket (ms since the epoch, a multiple of the bucket length and of one second).
   * `last` lies in [bucket, bucket + MAX_BUCKET_MS): deltas go to the bucket of their last time.
   */
  readonly bucket: number;
  readonly from: string;
  readonly fromKind: EndKind;
  readonly to: string;
  readonly toKind: EndKind;
  readonly port: string;
  readonly verdict: EdgeVerdict;
  /**
   * What the network answered these `count` connections (absent: established). A `blocked` delta
   * counts as unanswered whatever it says: the ruleset dropped the packet, nothing could answer.
   */
  readonly outcome?: EdgeOutcome;
  /** The deciding rule, when known; the newest non-null one is kept. */
  readonly rule: string | null;
  readonly count: number;
  readonly packets: number;
  readonly bytes: number;
  readonly first: number;
  readonly last: number;
}

/** An edge merged over the buckets a query covers. */
export interface StoredEdge {
  readonly from: string;
  readonly fromKind: EndKind;
  readonly to: string;
  readonly toKind: EndKind;
  readonly port: string;
  readonly verdict: EdgeVerdict;
  readonly rule: string | null;
  readonly count: number;
  readonly packets: number;
  readonly bytes: number;
  readonly firstSeen: number;
  readonly lastSeen: number;
  /**
   * established when any connection got an answer, else refused when any was refused, else
   * unanswered (an edge that counted no connection at all is established).
   */
  readonly outcome: EdgeOutcome;
  readonly outcomes: EdgeOutcomes;
}

/**
 * Edge counters (count, packets, bytes) saturate here, in a stored row and in a sum across rows:
 * they stay exact JavaScript numbers and far inside SQLite's 64-bit integers, so a counter that
 * would overflow never fails the write of the batch holding it.
 */
export const MAX_EDGE_COUNTER = Number.MAX_SAFE_INTEGER;

/** The longest bucket the store supports (queries rely on it to bound their index scans). */
export const MAX_BUCKET_MS = 24 * 3600_000;

export interface EdgeFilter {
  /**
   * Only buckets overlapping [since, until) (ms): a bucket row covers [its start, its last time],
   * so it is included when start < until and last >= since.
   */
  readonly since?: number;
  readonly until?: number;
  readonly from?: string;
  readonly to?: string;
  /** Either end is one of these names. */
  readonly either?: readonly string[];
  readonly port?: string;
  readonly verdict?: EdgeVerdict;
  /** The merged edge's outcome (see StoredEdge.outcome) over the range the filter covers. */
  readonly outcome?: EdgeOutcome;
  /** At most this many edges (the answer is always newest lastSeen first). */
  readonly limit?: number;
}

export type AlertSeverity = "low" | "medium" | "high" | "critical";
export type AlertStatus = "open" | "acknowledged" | "resolved";

export interface AlertRecord {
  readonly id: string;
  /** scan | lateral-movement | ransomware-spread | decoy | enforcement-gap | ... */
  readonly kind: string;
  readonly severity: AlertSeverity;
  /** A workload's name, or an address. */
  readonly source: string;
  readonly targets: readonly string[];
  /** First raised (ISO). */
  readonly at: string;
  /** Last time new evidence arrived (ISO). */
  readonly lastAt: string;
  readonly summary: string;
  /** Alerts of one attack share an incident id. */
  readonly incident: string;
  /** Detector-specific; the flows that raised it among them. */
  readonly evidence: Json;
  readonly status: AlertStatus;
  /** How many times the detector re-raised it (de-duplicated into this alert). */
  readonly count: number;
  /**
   * The highest severity of this alert that every sender (webhooks, syslog) is done with;
   * absent: none yet. Survives restarts, so a restarted controller neither sends an alert again
   * nor misses one it had not finished sending.
   */
  readonly delivered?: AlertSeverity;
}

export interface AlertFilter {
  readonly kind?: string;
  readonly status?: AlertStatus;
  readonly source?: string;
  readonly since?: string;
  readonly limit?: number;
}

export interface Quarantine {
  readonly workload: string;
  readonly since: string;
  readonly reason: string;
  /** Addresses still allowed both ways besides management (a forensic host). */
  readonly forensic: readonly string[];
  readonly actor: string;
}

export interface FlowBatchInput {
  readonly agentId: string;
  readonly seq: number;
  readonly deltas: readonly EdgeDelta[];
}

export interface FlowRepo {
  /**
   * Applies one agent batch at most once: `duplicate` when seq <= the agent's last applied seq
   * (then nothing changes). Deltas are merged into stored edges per bucket (counts summed, first
   * min, last max) in the same unit as the agent's sequence number.
   */
  applyBatch(
    agentId: string,
    seq: number,
    deltas: readonly EdgeDelta[],
  ): Promise<{ duplicate: boolean }>;
  /**
   * Several agents' batches in one transaction (group commit), applied in the order given with
   * the same rule as applyBatch (a later batch of the same agent with a seq not above an earlier
   * one is a duplicate); one answer per batch, in order. When the transaction fails, none is
   * applied and the promise rejects.
   */
  applyBatches(batches: readonly FlowBatchInput[]): Promise<{ duplicate: boolean }[]>;
  /** Edges merged across the buckets the filter covers. */
  edges(filter?: EdgeFilter): Promise<StoredEdge[]>;
  /** Deletes buckets that started before `before` (ms); answers how many edge rows went. */
  prune(before: number): Promise<number>;
  stats(): Promise<{ rows: number; oldest: number | null }>;
}

export interface AlertRepo {
  /**
   * Creates the alert, or (same id) replaces it keeping `at`, the status and `delivered`, with
   * `count` = max(stored count + 1, given count) (a re-raise counts once even when the detector
   * passes 1). Not audited.
   */
  upsert(alert: AlertRecord): Promise<AlertRecord>;
  /** `upsert` of each, in order, in one transaction (all stored or none). */
  upsertMany(alerts: readonly AlertRecord[]): Promise<AlertRecord[]>;
  get(id: string): Promise<AlertRecord | undefined>;
  /** Newest `lastAt` first; `since` keeps alerts with lastAt >= since. */
  list(filter?: AlertFilter): Promise<AlertRecord[]>;
  /**
   * Records that every sender is done with the alert at `severity`: `delivered` becomes the
   * higher of the stored mark and `severity` (never lower). Not audited; undefined: no alert.
   */
  markDelivered(id: string, severity: AlertSeverity): Promise<AlertRecord | undefined>;
  /** `markDelivered` of each, in order, in one transaction (an unknown id is skipped). */
  markDeliveredMany(
    marks: readonly { readonly id: string; readonly severity: AlertSeverity }[],
  ): Promise<void>;
  /** Audited (unless the status is already that). */
  setStatus(id: string, status: AlertStatus, actor: string): Promise<AlertRecord | undefined>;
}

export interface QuarantineRepo {
  list(): Promise<Quarantine[]>;
  /** The workload's quarantine, undefined when it has none. */
  get(workload: string): Promise<Quarantine | undefined>;
  /** Audited (an identical quarantine writes nothing). `not-found`: no such workload. */
  set(
    q: Quarantine,
    actor: string,
  ): Promise<{ ok: true; quarantine: Quarantine } | { ok: false; reason: "not-found" }>;
  /** Audited; answers the removed quarantine. */
  release(workload: string, actor: string): Promise<Quarantine | undefined>;
}
