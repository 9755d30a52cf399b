// What every use case is given. Built once by main.ts (the composition root) or by a test; use
// cases never open a store, read configuration or take the time themselves.
import type { AddressSet, ManagementAccess } from "@microseg/core";
import type { FlowObservation } from "@microseg/insight";
import type { Store } from "@microseg/store";
import type { Logger } from "pino";
import type { AgentCredentials } from "./agent-credentials.js";
import type { AgentEventAudit } from "./audit/agent-events.js";
import type { PolicyWorkers } from "./compile-worker/pool.js";
import type { FlowFeed } from "./flows/flow-feed.js";
import type { FlowIngest } from "./flows/flow-ingest.js";
import type { FollowHealth } from "./hub/follow-health.js";
import type { PolicyHub } from "./hub/policy-hub.js";
import type { Leases } from "./leases.js";
import type { LimitSettings } from "./limits/defaults.js";
import type { Limits } from "./limits/limits.js";
import type { ControllerMetrics } from "./metrics.js";
import type { StatusBatcher } from "./status-batch.js";

export interface ControllerSettings {
  /** How often agents report; an agent is offline after 3 missed intervals. */
  readonly heartbeatSeconds: number;
  /** SHA-256 of the CA certificate (hex); null when serving plain HTTP. */
  readonly caFingerprint: string | null;
  readonly caPem: string | null;
  /** The management addresses (the controller's); agents give them `managementAccess` only. */
  readonly management: AddressSet;
  /**
   * What management may do on every workload: the agent channel (the controller's listen port)
   * and the services of `--management-service` (inbound from the management addresses).
   */
  readonly managementAccess: ManagementAccess;
  /** How long a status report waits for others to share its store write (status-batch.ts). */
  readonly statusBatchMs: number;
  /** A built console (index.html + assets/) served at `/`; null: a plain message instead. */
  readonly consoleDir: string | null;
  /** The agent packages served to the one-line installer (/packages/); null: none. */
  readonly packagesDir: string | null;
  /** Flow graph bucket length (ms; a multiple of 1 s, at most a day). */
  readonly flowBucketMs: number;
  /** How long flow edges are kept (ms); older buckets are pruned on a timer. */
  readonly flowRetentionMs: number;
  /** Time budget of one policy job in a worker (compile-worker/pool.ts); --compile-timeout. */
  readonly compileTimeoutMs: number;
  /** Heap of each policy worker in MiB, the memory budget of one job; --compile-memory. */
  readonly compileMemoryMb: number;
  /** Quotas, timeouts and connection caps (limits/defaults.ts). */
  readonly limits: LimitSettings;
  /** GET /metrics without a token (--metrics-public); default false: the admin token. */
  readonly metricsPublic: boolean;
}

/** Settings as callers give them: any subset, limits too. */
export type SettingsInput = Partial<Omit<ControllerSettings, "limits">> & {
  readonly limits?: Partial<LimitSettings>;
};

/** What ingest needs of the flow bus (bus/flow-bus.ts). */
export interface FlowPublisher {
  /** Stored in the stream once per batchKey (a retry publishes nothing new); MSEG_BUS_UNAVAILABLE. */
  publish(batchKey: string, observations: readonly FlowObservation[], now: number): Promise<void>;
}

export interface ControllerContext {
  readonly store: Store;
  readonly hub: PolicyHub;
  /** Live agent credentials in memory; see agent-credentials.ts for when a revoke is effective. */
  readonly credentials: AgentCredentials;
  /**
   * On a shared store: whether this replica's memory follows the change stream; while it does
   * not, agents' policy requests and /readyz answer 503 (hub/follow-health.ts). Absent: never
   * stale (a store of its own).
   */
  readonly following?: FollowHealth;
  /** Agent status reports, written in batches; an answer means the report committed. */
  readonly statusReports: StatusBatcher;
  /**
   * Resolved flows of every applied agent batch, after it committed. Subscribe with
   * `ctx.flows.subscribe((observations, now) => …)`; see flows/flow-feed.ts.
   */
  readonly flows: FlowFeed;
  /**
   * The flow bus (--bus): every applied batch's observations are published to it before the
   * agent's batch is acknowledged; the `detection` lease holder consumes them (bus/).
   */
  readonly bus?: FlowPublisher;
  /** Agent events to the audit log, bounded per agent and minute (audit/agent-events.ts). */
  readonly agentEvents: AgentEventAudit;
  /** Singleton jobs run under a lease in the store (leases.ts). */
  readonly leases: Leases;
  /** The flow ingest's state: address history, rule attribution, bucket and retention. */
  readonly flowIngest: FlowIngest;
  /**
   * Worker threads for policy work on untrusted text (parse, compile, tests, diff, replay, blast
   * radius), within settings.compileTimeoutMs and the pool's memory budget.
   */
  readonly policyWorkers: PolicyWorkers;
  /** Per-agent quotas, failed authentications per address, repeated-log suppression. */
  readonly limits: Limits;
  /** Prometheus metrics of this controller (its own registry), served at /metrics. */
  readonly metrics: ControllerMetrics;
  readonly clock: () => Date;
  readonly log: Logger;
  readonly settings: ControllerSettings;
}
