// The storage seam under the shared repository logic (engine/*). An adapter implements Tables
// and Backend and gets the whole Store port from createStore(); the rules (provision, enrolment,
// audit chaining) are written once in engine/ and cannot drift between adapters (SQLite, memory,
// PostgreSQL).
//
// Contract: Backend.run(fn) runs fn atomically. If fn rejects, no write made through `t` remains
// and the error propagates. Reads inside fn see fn's own writes. No other unit of work of this
// store interleaves with fn's writes in a way that could change what fn read (SQLite and memory
// serialize units in the process; PostgreSQL takes locks, see postgres/). fn awaits every Tables
// call before the next: a unit is one sequence of statements on one connection.
//
// Tables methods answer a value or a promise of one (Awaitable): the synchronous adapters answer
// plain values, which the engine awaits for one microtask instead of a promise allocated per row
// read (the flow ingest path calls mergeEdges per batch, the enrolment path a dozen reads).

import type {
  AlertFilter,
  AlertRecord,
  AlertSeverity,
  EdgeDelta,
  EdgeFilter,
  Quarantine,
  StoredEdge,
} from "../flow-records.js";
import type { Lease, SharedSecret, StateChange } from "../port.js";
import type {
  AgentRecord,
  ApiToken,
  AuditEntry,
  Draft,
  EnrolmentProfile,
  Revision,
  WorkloadRecord,
} from "../records.js";

/** A value, or a promise of it: what a Tables method answers. */
export type Awaitable<T> = T | Promise<T>;

export interface Tables {
  workload(name: string): Awaitable<WorkloadRecord | undefined>;
  workloads(): Awaitable<WorkloadRecord[]>;
  /**
   * Its addresses are canonical text (the engine's canonicalAddresses()); they are indexed for
   * workloadsAt() as they are, re-indexed only when they differ from the stored row's.
   */
  putWorkload(w: WorkloadRecord): Awaitable<void>;
  deleteWorkload(name: string): Awaitable<void>;
  /** Names of the workloads holding `address` (canonical text), ordered. */
  workloadsAt(address: string): Awaitable<string[]>;

  draft(name: string): Awaitable<Draft | undefined>;
  drafts(): Awaitable<Draft[]>;
  putDraft(d: Draft): Awaitable<void>;
  deleteDraft(name: string): Awaitable<boolean>;

  revision(n: number): Awaitable<Revision | undefined>;
  /** Newest first, numbers < before (when given), at most limit. */
  revisions(limit: number, before?: number): Awaitable<Revision[]>;
  lastRevisionNumber(): Awaitable<number>;
  insertRevision(r: Revision): Awaitable<void>;
  activeRevision(): Awaitable<number | null>;
  setActiveRevision(n: number): Awaitable<void>;

  profile(id: string): Awaitable<EnrolmentProfile | undefined>;
  profileByKey(keyHash: string): Awaitable<EnrolmentProfile | undefined>;
  profileByName(name: string): Awaitable<EnrolmentProfile | undefined>;
  profiles(): Awaitable<EnrolmentProfile[]>;
  putProfile(p: EnrolmentProfile): Awaitable<void>;

  agent(id: string): Awaitable<AgentRecord | undefined>;
  agentByCredential(hash: string): Awaitable<AgentRecord | undefined>;
  agentsOf(workload: string): Awaitable<AgentRecord[]>;
  agents(): Awaitable<AgentRecord[]>;
  putAgent(a: AgentRecord): Awaitable<void>;
  /** The agents of these ids that exist, in no particular order (one statement where it pays). */
  agentsByIds(ids: readonly string[]): Awaitable<AgentRecord[]>;
  /** putAgent of each (one statement where it pays: a batch of status reports). */
  putAgents(agents: readonly AgentRecord[]): Awaitable<void>;
  deleteAgent(id: string): Awaitable<void>;

  token(hash: string): Awaitable<ApiToken | undefined>;
  tokenByName(name: string): Awaitable<ApiToken | undefined>;
  tokens(): Awaitable<ApiToken[]>;
  putToken(t: ApiToken): Awaitable<void>;
  deleteToken(name: string): Awaitable<void>;

  auditHead(): Awaitable<{ seq: number; hash: string } | undefined>;
  appendAudit(e: AuditEntry): Awaitable<void>;
  /** Ascending seq, seq > afterSeq, optionally only one target, at most limit. */
  auditEntries(afterSeq: number, limit: number, target?: string): Awaitable<AuditEntry[]>;
  /** The first entry with action KEYED_ACTION on target KEYED_TARGET (audit-chain.ts). */
  auditKeyed(): Awaitable<AuditEntry | undefined>;
  /** The seq of an entry other than `notSeq` whose prevHash is `prevHash` (a slow scan is fine). */
  auditSuccessor(prevHash: string, notSeq: number): Awaitable<number | undefined>;

  /** The agents' last applied flow batches (absent: none yet). */
  flowSeqs(agentIds: readonly string[]): Awaitable<Map<string, number>>;
  setFlowSeqs(seqs: ReadonlyMap<string, number>): Awaitable<void>;
  /**
   * Adds each delta to its (bucket, from, to, port, verdict) row, creating the row if new; its
   * count also to the row's refused or unanswered count when that was its outcome.
   */
  mergeEdges(deltas: readonly EdgeDelta[]): Awaitable<void>;
  /** Rows merged across buckets (see EdgeFilter), newest lastSeen first. */
  edges(filter: EdgeFilter): Awaitable<StoredEdge[]>;
  /** Deletes rows whose bucket started before `before` (ms); answers how many. */
  pruneEdges(before: number): Awaitable<number>;
  edgeStats(): Awaitable<{ rows: number; oldest: number | null }>;

  alert(id: string): Awaitable<AlertRecord | undefined>;
  /** What a re-raise keeps of a stored alert, read without its lists and evidence. */
  alertState(id: string): Awaitable<AlertState | undefined>;
  /** Newest lastAt first, then by id. */
  alerts(filter: AlertFilter): Awaitable<AlertRecord[]>;
  putAlert(a: AlertRecord): Awaitable<void>;
  /** Sets the delivery mark of a stored alert (nothing else of the row changes). */
  setAlertDelivered(id: string, severity: AlertSeverity): Awaitable<void>;

  quarantine(workload: string): Awaitable<Quarantine | undefined>;
  /** Ordered by workload. */
  quarantines(): Awaitable<Quarantine[]>;
  putQuarantine(q: Quarantine): Awaitable<void>;
  deleteQuarantine(workload: string): Awaitable<void>;

  /** Appends a change row with seq = the newest + 1 (engine/changes.ts); answers its seq. */
  appendChange(c: Omit<StateChange, "seq">): Awaitable<number>;
  /** Ascending seq, seq > afterSeq, at most limit. */
  changesAfter(afterSeq: number, limit: number): Awaitable<StateChange[]>;
  /** The newest seq (0: none). */
  lastChangeSeq(): Awaitable<number>;
  /** The oldest seq kept (0: none). */
  firstChangeSeq(): Awaitable<number>;
  /** Deletes rows with seq <= keepAfterSeq, never the newest row (seq stays gapless). */
  pruneChanges(keepAfterSeq: number): Awaitable<void>;

  lease(name: string): Awaitable<Lease | undefined>;
  /** Ordered by name. */
  leases(): Awaitable<Lease[]>;
  putLease(l: Lease): Awaitable<void>;
  sharedSecret(name: string): Awaitable<SharedSecret | undefined>;
  /** Inserts a new row (the engine checked that none exists in the same unit). */
  insertSharedSecret(s: SharedSecret): Awaitable<void>;
}

/** The fields of a stored alert that a re-raise keeps (engine/alerts.ts). */
export type AlertState = Pick<AlertRecord, "at" | "status" | "count" | "delivered">;

/** The schema every adapter provides; the SQLite migrations end at this number. */
export const SCHEMA_VERSION = 8;

/** What a unit of work does: only reads, or may write. */
export type UnitKind = "read" | "write";

export interface Backend {
  readonly name: string;
  /** Other processes may write the same data (StoreInfo.shared). */
  readonly shared?: boolean;
  /**
   * `kind` "read": fn only reads (an adapter may skip the write lock); default "write".
   */
  run<T>(fn: (t: Tables) => Promise<T>, kind?: UnitKind): Promise<T>;
  schemaVersion(): number;
  close(): void | Promise<void>;
}

/** What the engine needs besides storage. `failpoint` lets tests break a unit of work half-way. */
export interface EngineContext {
  readonly clock: () => Date;
  readonly failpoint?: (step: string) => void;
  /** Seals audit entries (HMAC-SHA256); given by the composition root, never read from config. */
  readonly auditKey?: Uint8Array;
}
