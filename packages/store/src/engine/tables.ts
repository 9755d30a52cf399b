// The storage seam under the shared repository logic (engine/*). An adapter that can run a
// synchronous unit of work (SQLite through better-sqlite3, the memory adapter) implements Tables
// and Backend and gets the whole Store port from createStore(); the rules (provision, enrolment,
// audit chaining) are written once in engine/ and cannot drift between adapters.
//
// Contract: Backend.run(fn) runs fn atomically. If fn throws, no write made through `t` remains
// and the error propagates. Reads inside fn see fn's own writes. Nothing else runs in between.

import type {
  AlertFilter,
  AlertRecord,
  AlertSeverity,
  EdgeDelta,
  EdgeFilter,
  Quarantine,
  StoredEdge,
} from "../flow-records.js";
import type {
  AgentRecord,
  ApiToken,
  AuditEntry,
  Draft,
  EnrolmentProfile,
  Revision,
  WorkloadRecord,
} from "../records.js";

export interface Tables {
  workload(name: string): WorkloadRecord | undefined;
  workloads(): WorkloadRecord[];
  /**
   * Its addresses are canonical text (the engine's canonicalAddresses()); they are indexed for
   * workloadsAt() as they are, re-indexed only when they differ from the stored row's.
   */
  putWorkload(w: WorkloadRecord): void;
  deleteWorkload(name: string): void;
  /** Names of the workloads holding `address` (canonical text), ordered. */
  workloadsAt(address: string): string[];

  draft(name: string): Draft | undefined;
  drafts(): Draft[];
  putDraft(d: Draft): void;
  deleteDraft(name: string): boolean;

  revision(n: number): Revision | undefined;
  /** Newest first, numbers < before (when given), at most limit. */
  revisions(limit: number, before?: number): Revision[];
  lastRevisionNumber(): number;
  insertRevision(r: Revision): void;
  activeRevision(): number | null;
  setActiveRevision(n: number): void;

  profile(id: string): EnrolmentProfile | undefined;
  profileByKey(keyHash: string): EnrolmentProfile | undefined;
  profileByName(name: string): EnrolmentProfile | undefined;
  profiles(): EnrolmentProfile[];
  putProfile(p: EnrolmentProfile): void;

  agent(id: string): AgentRecord | undefined;
  agentByCredential(hash: string): AgentRecord | undefined;
  agentsOf(workload: string): AgentRecord[];
  agents(): AgentRecord[];
  putAgent(a: AgentRecord): void;
  deleteAgent(id: string): void;

  token(hash: string): ApiToken | undefined;
  tokenByName(name: string): ApiToken | undefined;
  tokens(): ApiToken[];
  putToken(t: ApiToken): void;
  deleteToken(name: string): void;

  auditHead(): { seq: number; hash: string } | undefined;
  appendAudit(e: AuditEntry): void;
  /** Ascending seq, seq > afterSeq, optionally only one target, at most limit. */
  auditEntries(afterSeq: number, limit: number, target?: string): AuditEntry[];
  /** The first entry with action KEYED_ACTION on target KEYED_TARGET (audit-chain.ts). */
  auditKeyed(): AuditEntry | undefined;
  /** The seq of an entry other than `notSeq` whose prevHash is `prevHash` (a slow scan is fine). */
  auditSuccessor(prevHash: string, notSeq: number): number | undefined;

  /** The agent's last applied flow batch (0: none yet). */
  flowSeq(agentId: string): number;
  setFlowSeq(agentId: string, seq: number): void;
  /**
   * Adds each delta to its (bucket, from, to, port, verdict) row, creating the row if new; its
   * count also to the row's refused or unanswered count when that was its outcome.
   */
  mergeEdges(deltas: readonly EdgeDelta[]): void;
  /** Rows merged across buckets (see EdgeFilter), newest lastSeen first. */
  edges(filter: EdgeFilter): StoredEdge[];
  /** Deletes rows whose bucket started before `before` (ms); answers how many. */
  pruneEdges(before: number): number;
  edgeStats(): { rows: number; oldest: number | null };

  alert(id: string): AlertRecord | undefined;
  /** What a re-raise keeps of a stored alert, read without its lists and evidence. */
  alertState(id: string): AlertState | undefined;
  /** Newest lastAt first, then by id. */
  alerts(filter: AlertFilter): AlertRecord[];
  putAlert(a: AlertRecord): void;
  /** Sets the delivery mark of a stored alert (nothing else of the row changes). */
  setAlertDelivered(id: string, severity: AlertSeverity): void;

  quarantine(workload: string): Quarantine | undefined;
  /** Ordered by workload. */
  quarantines(): Quarantine[];
  putQuarantine(q: Quarantine): void;
  deleteQuarantine(workload: string): void;
}

/** The fields of a stored alert that a re-raise keeps (engine/alerts.ts). */
export type AlertState = Pick<AlertRecord, "at" | "status" | "count" | "delivered">;

/** The schema every adapter provides; the SQLite migrations end at this number. */
export const SCHEMA_VERSION = 6;

export interface Backend {
  readonly name: string;
  run<T>(fn: (t: Tables) => T): T;
  schemaVersion(): number;
  close(): void;
}

/** What the engine needs besides storage. `failpoint` lets tests break a unit of work half-way. */
export interface EngineContext {
  readonly clock: () => Date;
  readonly failpoint?: (step: string) => void;
  /** Seals audit entries (HMAC-SHA256); given by the composition root, never read from config. */
  readonly auditKey?: Uint8Array;
}
