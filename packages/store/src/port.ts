// The store port: what the controller needs from persistence, nothing about how it is kept.
//
// Contract for every adapter (checked by contract.ts):
// - Every method is one atomic unit: it either happens completely or not at all, also when the
//   process dies half-way. Multi-step operations (provision, enrol, ...) are single methods for
//   exactly this reason: the port has no open-ended transactions, so an adapter over a network
//   database can run each method as one server-side transaction.
// - Every method that takes an `actor` records an audit entry (before/after) in the same unit, so
//   a change and its audit entry exist together or not at all.
// - Expected outcomes (not found, conflict, stale, expired) are values; a thrown error means the
//   store itself failed.
// - Time comes from the clock given at open; methods that decide on time take `now` explicitly.

import type { Mode, Workload } from "@microseg/core";
import type { AlertRepo, FlowRepo, QuarantineRepo } from "./flow-records.js";
import type {
  AgentInterface,
  AgentRecord,
  ApiToken,
  AuditEntry,
  Draft,
  DriftState,
  EnrolmentProfile,
  Json,
  Revision,
  WorkloadRecord,
} from "./records.js";

export type Fail<R extends string> = { readonly ok: false; readonly reason: R };
export type Result<T, R extends string> = ({ readonly ok: true } & T) | Fail<R>;

/** Refused: `address` (canonical text) belongs to the workload `holder`. */
export type AddressTaken = Fail<"address-taken"> & {
  readonly address: string;
  readonly holder: string;
};

export interface Store {
  readonly workloads: WorkloadRepo;
  readonly policy: PolicyRepo;
  readonly enrolment: EnrolmentRepo;
  readonly agents: AgentRepo;
  readonly tokens: TokenRepo;
  readonly audit: AuditRepo;
  readonly flows: FlowRepo;
  readonly alerts: AlertRepo;
  readonly quarantine: QuarantineRepo;
  /** The change stream other controller replicas follow (engine/changes.ts). */
  readonly changes: ChangeRepo;
  /** Who runs each singleton job among replicas (engine/leases.ts). */
  readonly leases: LeaseRepo;
  /** Secrets every replica must share, created once by the first (engine/leases.ts). */
  readonly secrets: SharedSecretRepo;
  info(): Promise<StoreInfo>;
  /** Releases the store; later calls fail. Safe to call twice. */
  close(): Promise<void>;
}

export interface StoreInfo {
  readonly adapter: string;
  /** The highest migration applied (adapters without a schema report the version they emulate). */
  readonly schemaVersion: number;
  /**
   * Other processes may write the same data (PostgreSQL): a controller then follows `changes`
   * to keep what it holds in memory current.
   */
  readonly shared: boolean;
}

/** What a change row names: the record to read again (its current state, not a diff). */
export type ChangeKind = "workload" | "revision" | "quarantine" | "agent";

/**
 * One row of the change stream, appended in the unit of work that made the change: a workload
 * put or deleted (key: its name), the active revision moved (key: its number), a quarantine set
 * or ended (key: the workload), an agent revoked (key: its id). `seq` counts up by one, without
 * gaps, in commit order.
 */
export interface StateChange {
  readonly seq: number;
  readonly kind: ChangeKind;
  readonly key: string;
  readonly at: string;
}

export interface ChangeRepo {
  /** The newest seq (0: none yet). */
  head(): Promise<number>;
  /** The oldest seq still kept (0: none). Older rows are pruned (CHANGES_KEPT). */
  oldest(): Promise<number>;
  /**
   * Changes with seq > `seq`, ascending, at most `limit`. The newest row is never pruned, so a
   * reader whose first answer does not start at `seq + 1` has missed pruned changes.
   */
  after(seq: number, limit: number): Promise<StateChange[]>;
}

/**
 * A named lease: `holder` runs the singleton job `name` (alert delivery, retention, ...) until
 * `expiresAt` unless it renews. `epoch` counts up each time the lease changes hands, so work
 * stamped with an older epoch can be told from the current holder's (a fencing token).
 */
export interface Lease {
  readonly name: string;
  readonly holder: string;
  readonly epoch: number;
  /** ISO time, from the clock of the replica that last took or renewed it. */
  readonly expiresAt: string;
}

export interface LeaseRepo {
  /**
   * Takes `name` for `holder` until now + ttlMs when it is free, expired or already `holder`'s
   * (a renewal keeps the epoch); answers the lease as it stands afterwards, so
   * `result.holder === holder` tells whether the caller holds it.
   */
  acquire(name: string, holder: string, ttlMs: number): Promise<Lease>;
  /** Gives `name` up at once when `holder` has it (a clean shutdown); answers whether it did. */
  release(name: string, holder: string): Promise<boolean>;
  /** Every lease ever taken (expired ones too), ordered by name. */
  list(): Promise<Lease[]>;
}

/** A secret the replicas share (the TLS CA); `value` is what the creator stored. */
export interface SharedSecret {
  readonly name: string;
  readonly value: string;
  readonly createdAt: string;
}

export interface SharedSecretRepo {
  get(name: string): Promise<SharedSecret | undefined>;
  /**
   * Stores `value` under `name` unless a secret of that name exists; answers the stored one
   * either way (`created`: this call stored it). Two replicas starting at once agree on one.
   */
  create(name: string, value: string): Promise<SharedSecret & { readonly created: boolean }>;
}

export interface WorkloadRepo {
  /** All workloads, ordered by name. */
  list(): Promise<WorkloadRecord[]>;
  get(name: string): Promise<WorkloadRecord | undefined>;
  /**
   * Creates or replaces. An identical workload is left alone (no audit entry, same updatedAt).
   * Refused when one of its addresses (compared canonically) belongs to another workload.
   */
  upsert(
    workload: Workload,
    actor: string,
  ): Promise<
    { ok: true; record: WorkloadRecord; change: "created" | "updated" | "unchanged" } | AddressTaken
  >;
  /** Refused with `in-use` while a non-revoked agent is bound to the workload. */
  delete(
    name: string,
    actor: string,
  ): Promise<Result<{ before: WorkloadRecord }, "not-found" | "in-use">>;
}

export const DEFAULT_DRAFT = "default";

export interface DraftInput {
  readonly name?: string;
  readonly text: string;
  readonly parsed: Json;
  readonly parsedVersion: number;
}

export interface ProvisionInput {
  readonly draft?: string;
  readonly comment: string;
  /** Optimistic check: fails with `stale` unless this is the active revision (null: none). */
  readonly expectedActive?: number | null;
}

export interface RollbackInput {
  readonly to: number;
  readonly comment: string;
  readonly expectedActive?: number | null;
}

export interface PolicyRepo {
  getDraft(name?: string): Promise<Draft | undefined>;
  listDrafts(): Promise<Draft[]>;
  saveDraft(input: DraftInput, actor: string): Promise<Draft>;
  deleteDraft(name: string, actor: string): Promise<boolean>;
  /**
   * Creates revision N+1 from the draft and makes it active, atomically. The draft stays (it now
   * equals the active revision). `unchanged`: the draft's text equals the active revision's.
   */
  provision(
    input: ProvisionInput,
    actor: string,
  ): Promise<Result<{ revision: Revision }, "no-draft" | "stale" | "unchanged">>;
  /** Creates revision N+1 as a copy of revision `to` and makes it active. */
  rollback(
    input: RollbackInput,
    actor: string,
  ): Promise<Result<{ revision: Revision }, "no-revision" | "stale" | "unchanged">>;
  active(): Promise<Revision | undefined>;
  revision(number: number): Promise<Revision | undefined>;
  /** Newest first; `before` pages backwards (revisions with a smaller number). */
  history(opts?: { limit?: number; before?: number }): Promise<Revision[]>;
}

export interface ProfileInput {
  readonly id: string;
  readonly name: string;
  readonly keyHash: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly mode: Mode;
  readonly expiresAt?: string | null;
  readonly maxUses?: number | null;
  /** Binds the profile to one workload (EnrolmentProfile.workload). */
  readonly workload?: string | null;
}

export type KeyRefusal = "unknown" | "revoked" | "expired" | "exhausted";

export interface EnrolmentRepo {
  /** `conflict`: the id, name or key hash is taken. */
  create(
    input: ProfileInput,
    actor: string,
  ): Promise<Result<{ profile: EnrolmentProfile }, "conflict">>;
  get(id: string): Promise<EnrolmentProfile | undefined>;
  list(): Promise<EnrolmentProfile[]>;
  revoke(id: string, actor: string): Promise<EnrolmentProfile | undefined>;
  /** Checks revocation, expiry (expiresAt <= now) and uses, then counts one use, atomically. */
  consumeKey(
    keyHash: string,
    now: Date,
  ): Promise<Result<{ profile: EnrolmentProfile }, KeyRefusal>>;
}

export interface EnrolInput {
  readonly keyHash: string;
  readonly now: Date;
  readonly agentId: string;
  readonly credentialHash: string;
  readonly hostname: string;
  readonly interfaces: readonly AgentInterface[];
  /** The workload name the agent asked for, when it asked for one. */
  readonly workload?: string;
  /** The name when neither the profile nor the agent gives one (from the hostname), if any. */
  readonly defaultWorkload?: string;
  /** The workload's addresses, canonical text. */
  readonly addresses: readonly string[];
  /**
   * Workloads the active policy declares (`workloads:` sections). They exist as far as
   * enrolment is concerned: their names are taken and their addresses held.
   */
  readonly declared?: readonly Workload[];
}

/** Why an enrolment was refused; nothing was written (the key's use not spent either). */
export type EnrolRefusal =
  /** The key's refusal; `conflict`: the agent id or credential hash exists; `no-name`: see EnrolInput. */
  | Fail<KeyRefusal | "conflict" | "no-name">
  /** `agent`, not revoked, owns the workload (online or not). */
  | (Fail<"workload-taken"> & { readonly workload: string; readonly agent: string })
  /** The workload exists (stored, or `declared`) and the profile is not bound to it. */
  | (Fail<"workload-exists"> & { readonly workload: string; readonly declared: boolean })
  /** The profile is bound to `workload` and the agent asked for another. */
  | (Fail<"wrong-workload"> & { readonly workload: string })
  | AddressTaken;

export interface StatusReport {
  readonly at: Date;
  /**
   * What the agent says about its host now: kept on the agent record only. The workload's
   * addresses never follow it (enrolment alone sets them, under the one-holder rule); the agent
   * channel does not send these today (protocol StatusRequestSchema).
   */
  readonly hostname?: string;
  readonly interfaces?: readonly AgentInterface[];
  readonly applied?: { readonly revision: number; readonly rulesetHash: string };
  readonly drift?: DriftState;
  /** null clears the last error. */
  readonly error?: string | null;
}

export interface AgentReport {
  readonly id: string;
  readonly report: StatusReport;
}

export type AgentReportResult = Result<{ agent: AgentRecord }, "not-found" | "revoked">;

export interface AgentRepo {
  /**
   * Checks the key, decides the workload (EnrolRefusal says when it may not), consumes one use,
   * creates the workload (labels and mode from the profile) or takes over the one the profile is
   * bound to (its labels and mode kept, its addresses the host's), and creates the agent, all or
   * nothing.
   */
  enrol(
    input: EnrolInput,
  ): Promise<({ ok: true } & { agent: AgentRecord; workload: WorkloadRecord }) | EnrolRefusal>;
  get(id: string): Promise<AgentRecord | undefined>;
  /** Only a non-revoked agent is found by its credential. */
  authenticate(credentialHash: string): Promise<AgentRecord | undefined>;
  list(): Promise<AgentRecord[]>;
  /** Heartbeat and status in one write; not audited. Refused for unknown or revoked agents. */
  report(id: string, report: StatusReport): Promise<AgentReportResult>;
  /**
   * Several reports in one transaction, applied in the order given (the same agent may appear
   * more than once); answers one result per report, in that order. A refused report (unknown or
   * revoked agent) refuses only itself; when the transaction fails, none is written and the
   * promise rejects.
   */
  reportMany(reports: readonly AgentReport[]): Promise<AgentReportResult[]>;
  revoke(id: string, actor: string): Promise<AgentRecord | undefined>;
  /**
   * Replaces the agent's maintenance token hash (audited as `agent.maintenance-token`, without
   * the hash). undefined: no such agent, or it is revoked.
   */
  setMaintenanceHash(id: string, hash: string, actor: string): Promise<AgentRecord | undefined>;
}

export interface TokenRepo {
  /** `conflict`: the hash or the name is taken. */
  create(
    input: { hash: string; name: string; role: string },
    actor: string,
  ): Promise<Result<{ token: ApiToken }, "conflict">>;
  /**
   * Replaces the token named `input.name` (or creates it) in one unit: the old hash stops working
   * as the new one starts. Audited as `token.replace`. `conflict`: the new hash is taken.
   */
  replace(
    input: { hash: string; name: string; role: string },
    actor: string,
  ): Promise<Result<{ token: ApiToken }, "conflict">>;
  find(hash: string): Promise<ApiToken | undefined>;
  list(): Promise<ApiToken[]>;
  delete(name: string, actor: string): Promise<boolean>;
}

export interface AuditInput {
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly before?: Json;
  readonly after?: Json;
}

/** A chain head kept outside the database: the entry `seq` had hash `hash`. */
export interface AuditAnchor {
  readonly seq: number;
  readonly hash: string;
}

/** Where the keyed part of the chain starts (the `audit.keyed` entry) and which key seals it. */
export interface AuditEpoch {
  readonly seq: number;
  /** keyIdOf(key): names the key without revealing it. */
  readonly keyId: string;
}

/**
 * ok: the chain is intact up to `head`; `keyedFrom` is the first keyed entry (null: none).
 * Otherwise the first seq where it breaks and why.
 */
export type AuditVerdict =
  | {
      readonly ok: true;
      readonly count: number;
      readonly head: AuditAnchor | null;
      readonly keyedFrom: number | null;
    }
  | {
      readonly ok: false;
      readonly seq: number;
      readonly problem: "missing" | "edited" | "reordered" | "truncated" | "unkeyed";
      readonly message: string;
    };

export type StartKeyedResult =
  | { readonly ok: true; readonly started: boolean; readonly epoch: AuditEpoch }
  /** The store was opened without a key. */
  | { readonly ok: false; readonly reason: "no-key" }
  /** The chain is keyed with another key (its id given). */
  | { readonly ok: false; readonly reason: "other-key"; readonly keyId: string };

/**
 * The audit log. A store opened with an audit key seals entries with it (HMAC-SHA256); without
 * one it writes the unkeyed chain, and refuses to extend a chain that has a keyed part.
 */
export interface AuditRepo {
  /** For events that are not a store change (a failed login, an export). */
  append(input: AuditInput): Promise<AuditEntry>;
  /** Oldest first from `afterSeq` (exclusive); callers page with a limit. */
  list(opts?: { afterSeq?: number; limit?: number; target?: string }): Promise<AuditEntry[]>;
  /** The newest entry's seq and hash (what an anchor records); undefined when empty. */
  head(): Promise<AuditAnchor | undefined>;
  /** The `audit.keyed` entry, when the chain has one. */
  epoch(): Promise<AuditEpoch | undefined>;
  /**
   * Appends the `audit.keyed` entry (actor `actor`) when the chain has none, so every later entry
   * is keyed. Answers the epoch, and refuses a store without a key or with another key.
   */
  startKeyed(actor: string): Promise<StartKeyedResult>;
  /**
   * Walks the whole chain a page at a time (never all in memory). Cutting the newest entries off
   * cannot be seen from the chain alone: pass anchors exported earlier to detect that too, and
   * any rewrite before an anchor (even by someone holding the key).
   */
  verify(anchors?: readonly AuditAnchor[]): Promise<AuditVerdict>;
}
