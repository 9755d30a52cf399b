// Builds a controller around a store that is already open: loads the active revision and the
// inventory into the hub, then the HTTP app. Used by main.ts and, with a memory store, by tests.
import type { Store } from "@microseg/store";
import { AgentCredentials } from "./agent-credentials.js";
import { AgentEventAudit } from "./audit/agent-events.js";
import { BusDetection } from "./bus/bus-detection.js";
import type { FlowBus } from "./bus/flow-bus.js";
import {
  DEFAULT_COMPILE_MEMORY_MB,
  DEFAULT_COMPILE_TIMEOUT_MS,
  PolicyWorkers,
} from "./compile-worker/pool.js";
import type { ControllerContext, ControllerSettings, SettingsInput } from "./context.js";
import { DEFAULT_DETECTION_CONFIG, type DetectionConfig } from "./detect/config.js";
import { DetectionService } from "./detect/service.js";
import { FlowFeed } from "./flows/flow-feed.js";
import { FlowIngest } from "./flows/flow-ingest.js";
import { createApp } from "./http/app.js";
import type { ControllerApp } from "./http/env.js";
import { ChangeFollower } from "./hub/change-follower.js";
import { FollowHealth } from "./hub/follow-health.js";
import { PolicyHub } from "./hub/policy-hub.js";
import { Leases, type LeaseTimings } from "./leases.js";
import { DEFAULT_LIMITS } from "./limits/defaults.js";
import { Limits } from "./limits/limits.js";
import { type LogOption, makeLogger } from "./logger.js";
import { ControllerMetrics } from "./metrics.js";
import { registerEstateGauges } from "./metrics-estate.js";
import { StatusBatcher } from "./status-batch.js";
import { timedStore } from "./timed-store.js";
import { hubRevision } from "./use-cases/policy-text.js";

export const DEFAULT_SETTINGS: ControllerSettings = {
  heartbeatSeconds: 10,
  caFingerprint: null,
  caPem: null,
  management: { v4: [], v6: [] },
  managementAccess: { channel: [], services: [] },
  statusBatchMs: 10,
  consoleDir: null,
  packagesDir: null,
  flowBucketMs: 3_600_000,
  flowRetentionMs: 28 * 86_400_000,
  compileTimeoutMs: DEFAULT_COMPILE_TIMEOUT_MS,
  compileMemoryMb: DEFAULT_COMPILE_MEMORY_MB,
  limits: DEFAULT_LIMITS,
  metricsPublic: false,
};

export interface BuildOptions {
  readonly store: Store;
  readonly settings?: SettingsInput;
  readonly clock?: () => Date;
  readonly log?: LogOption;
  /** Alert delivery, auto-quarantine, decoys, thresholds (detect/config.ts). */
  readonly detection?: DetectionConfig;
  /** Lease TTL and renewal for singleton jobs on a shared store (leases.ts); tests shorten them. */
  readonly leaseTimings?: LeaseTimings;
  /** Policy workers to share (tests); default: a pool of settings.compileMemoryMb, owned by ctx. */
  readonly policyWorkers?: PolicyWorkers;
  /** Also export the process's CPU, memory, event loop and GC metrics (main.ts: yes). */
  readonly processMetrics?: boolean;
  /**
   * The flow bus (--bus): observations are published to it, and detection runs only while this
   * replica holds the `detection` lease, fed from the bus (bus/bus-detection.ts).
   */
  readonly bus?: FlowBus;
}

export interface BuiltController {
  readonly ctx: ControllerContext;
  readonly app: ControllerApp;
  /**
   * Detection on the flow stream and agent states; close() it before the store. Without a bus
   * it always runs here; with one, while this replica holds the `detection` lease.
   */
  readonly detection: DetectionService | BusDetection;
  /**
   * On a shared store (PostgreSQL): applies other replicas' changes to this one's hub and
   * credential cache (hub/change-follower.ts); stop() it before the store.
   */
  readonly follower?: ChangeFollower;
}

async function startDetection(
  ctx: ControllerContext,
  opts: BuildOptions,
): Promise<DetectionService | BusDetection> {
  const config = opts.detection ?? DEFAULT_DETECTION_CONFIG;
  if (opts.bus === undefined) {
    const detection = new DetectionService(ctx, config);
    await detection.start(ctx.flows);
    return detection;
  }
  const detection = new BusDetection(ctx, config, opts.bus);
  detection.start();
  return detection;
}

export async function buildController(opts: BuildOptions): Promise<BuiltController> {
  const metrics = new ControllerMetrics({ processMetrics: opts.processMetrics === true });
  // Every store call below is timed (microseg_store_operation_duration_seconds).
  const store = timedStore(opts.store, (op, seconds) => metrics.storeCall(op, seconds));
  // Read before the hub is loaded: a change committed while it loads is applied again, harmlessly.
  const shared = (await store.info()).shared;
  const from = shared ? await store.changes.head() : 0;
  const following = new FollowHealth(shared);
  const [workloads, active, quarantines] = await Promise.all([
    store.workloads.list(),
    store.policy.active(),
    store.quarantine.list(),
  ]);
  const revision = active === undefined ? undefined : hubRevision(active);
  const hub = new PolicyHub(workloads, revision, quarantines);
  const settings: ControllerSettings = {
    ...DEFAULT_SETTINGS,
    ...opts.settings,
    limits: { ...DEFAULT_LIMITS, ...opts.settings?.limits },
  };
  const log = makeLogger(opts.log);
  const clock = opts.clock ?? (() => new Date());
  const ctx: ControllerContext = {
    store,
    hub,
    credentials: new AgentCredentials(),
    ...(shared && { following }),
    statusReports: new StatusBatcher(store.agents, settings.statusBatchMs),
    flows: new FlowFeed(log),
    flowIngest: new FlowIngest(
      store,
      settings.flowBucketMs,
      settings.flowRetentionMs,
      settings.management,
    ),
    policyWorkers:
      opts.policyWorkers ?? new PolicyWorkers({ memoryMb: settings.compileMemoryMb, log }),
    limits: new Limits(settings.limits),
    agentEvents: new AgentEventAudit(store, log, clock),
    leases: new Leases(store.leases, shared, log, opts.leaseTimings),
    metrics,
    clock,
    log,
    settings,
    ...(opts.bus !== undefined && { bus: opts.bus }),
  };
  registerEstateGauges(ctx);
  const detection = await startDetection(ctx, opts);
  ctx.agentEvents.start();
  const follower = shared
    ? new ChangeFollower(
        {
          store,
          hub,
          credentials: ctx.credentials,
          log,
          registry: metrics.registry,
          health: following,
        },
        from,
      )
    : undefined;
  follower?.start();
  return { ctx, app: createApp(ctx), detection, ...(follower !== undefined && { follower }) };
}
