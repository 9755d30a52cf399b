// The agent's life, in the order the fail-safe contract needs it:
//
//   1. enforce BEFORE any contact: the stored last good policy, else the before-first-policy
//      RuleSet (--default-before-policy deny|allow); start the tamper watch
//   2. connect (retried with backoff, never fatal on network errors): pinned CA, then identity
//      (stored credential, or enrolment with the key)
//   3. policy long-poll -> dataplane.onUpdate; heartbeat (status report) every heartbeatMs
//   flows (deps.flows, optional): started right after step 1, independent of the long-poll; its
//   batches wait on disk until step 2 has a client. A failure to start it is logged, not fatal.
//
// Only a refused pin or a refused enrolment ends the agent (done rejects); the table stays.
// stop() ends the loops and leaves the table in force (fail static); reportStop() then tells the
// controller (a stop within a maintenance window, else tampering; queued on disk when away).
//
// Beside the loops (lifecycle/): DIR/status.json written every heartbeat period and after applies,
// restores and reachability changes (LocalStatus, for `microseg-agent status`); the maintenance
// token hash from status answers kept in DIR/maintenance-hash.json; events a previous run queued
// in DIR/outbox.json go out with the first reports.

import type { PortMatch } from "@microseg/core";
import { MicrosegError } from "@microseg/core/errors";
import type { FlowBatch, FlowBatchAck } from "@microseg/protocol/agent";
import type { Logger } from "pino";
import { ContactHint, createBackoff, sleep } from "./backoff.js";
import { type BeforePolicy, beforePolicyRuleSet } from "./before-policy.js";
import { type ControllerClient, ControllerError, retryAfter } from "./controller-client.js";
import { DataplaneManager, type DesiredPolicy, type DriverFactory } from "./dataplane.js";
import type { FlowCollection } from "./flows/index.js";
import type { HostFacts } from "./host-facts.js";
import { ensureIdentity } from "./identity.js";
import { LocalStatus, observedReporter } from "./lifecycle/local-status.js";
import {
  openWindowAt,
  readMaintenanceHash,
  writeMaintenanceHash,
} from "./lifecycle/maintenance.js";
import { forgetEvents, readOutbox } from "./lifecycle/outbox.js";
import { deliverOrQueue, STOP_REPORT_MS, stopCause, stopEvent } from "./lifecycle/report.js";
import type { SendOutcome } from "./lifecycle/send-events.js";
import { EMPTY_SET } from "./management.js";
import type { AgentObserver } from "./metrics.js";
import { syncPolicy } from "./policy-sync.js";
import type { StateStore } from "./state-store.js";
import { StatusReporter } from "./status-reporter.js";
import type { ChangeFeed } from "./table-monitor.js";
import { TamperWatch } from "./tamper-watch.js";

export interface AgentConfig {
  /** The --controller text: one URL or the replicas' "URL1,URL2,…" (the identity keeps it). */
  readonly controller: string;
  readonly enrolKey?: string;
  readonly workload?: string;
  readonly beforePolicy: BeforePolicy;
  readonly heartbeatMs?: number;
  readonly waitS?: number;
  readonly batchMs?: number;
  readonly tamperMs?: number;
  readonly elementEvery?: number;
}

/** Everything with I/O, built by main.ts (real) or by tests (fakes). */
export interface AgentDeps {
  readonly store: StateStore;
  readonly driverFor: DriverFactory;
  /** The addresses of every controller URL (always in the management set). */
  readonly controllerHosts: readonly string[];
  /** The channel to them: TCP to every controller URL's port (always allowed outbound). */
  readonly controllerChannel: readonly PortMatch[];
  /** The pinned CA (https) or undefined (http); may fail with a network error (retried). */
  readonly pinCa: () => Promise<string | undefined>;
  /**
   * A client that trusts only `ca` and sends `credential()` as its Bearer token; with several
   * controller URLs it fails over between them (failover-transport.ts), so the long-poll, status
   * reports, flow batches and events all follow the one that answers.
   */
  readonly connect: (
    ca: string | undefined,
    credential: () => string | undefined,
  ) => ControllerClient;
  readonly hostFacts: () => HostFacts;
  /** Change notifications for the table (nft monitor); without it only periodic checks run. */
  readonly changes?: ChangeFeed;
  /** Starts flow collection; `send` is the controller call once connected. */
  readonly flows?: (
    send: () => ((batch: FlowBatch) => Promise<FlowBatchAck>) | undefined,
  ) => Promise<FlowCollection>;
  /** Told of applies, restores and contact with the controller (metrics); default none. */
  readonly observer?: AgentObserver;
  readonly log: Logger;
}

export interface RunningAgent {
  readonly dataplane: DataplaneManager;
  readonly reporter: StatusReporter;
  readonly tamper: TamperWatch;
  /** undefined when flows are off or could not start. */
  readonly flows: FlowCollection | undefined;
  /** What `microseg-agent status` reads (DIR/status.json). */
  readonly local: LocalStatus;
  /** Resolves after stop(); rejects when the agent gave up (refused pin or enrolment). */
  readonly done: Promise<void>;
  stop(): Promise<void>;
  /**
   * After stop(): tells the controller the agent stopped, with whatever events still wait —
   * sanctioned when a maintenance window is open, else tampering — within STOP_REPORT_MS, else
   * queues them on disk for the next start.
   */
  reportStop(): Promise<SendOutcome>;
}

export async function startAgent(config: AgentConfig, deps: AgentDeps): Promise<RunningAgent> {
  const { log } = deps;
  const dir = deps.store.dir;
  let client: ControllerClient | undefined;
  let flows: FlowCollection | undefined;
  const hint = new ContactHint();
  const reporter = new StatusReporter(
    () => client,
    (e) => {
      log.debug({ error: (e as Error).message }, "status report not delivered");
      local.contact(false, (e as Error).message);
    },
  );
  const local = new LocalStatus({
    dir,
    controller: config.controller,
    heartbeatMs: config.heartbeatMs ?? 5000,
    enforced: () => {
      const p = dataplane.enforced;
      return p ? { revision: p.revision, hash: p.ruleSet.hash, source: p.source } : null;
    },
    flows: () => flows,
    onError: (e) => log.warn({ error: (e as Error).message }, "status file not written"),
  });
  reporter.onAnswer = await answerHandler(dir, reporter, local, log, hint);
  const observed = observedReporter(reporter, local);
  const dataplane = new DataplaneManager({
    driverFor: deps.driverFor,
    store: deps.store,
    reporter: observed,
    log,
    controllerHosts: deps.controllerHosts,
    controllerChannel: deps.controllerChannel,
    batchMs: config.batchMs,
    observer: deps.observer,
  });
  const known = await enforceBeforeContact(config, deps, dataplane);
  local.start();
  const tamper = new TamperWatch({
    dataplane,
    reporter: observed,
    log,
    intervalMs: config.tamperMs,
    elementEvery: config.elementEvery,
    changes: deps.changes,
    observer: deps.observer,
  });
  tamper.start();
  flows = await deps
    .flows?.(() => {
      const c = client;
      if (c === undefined) return undefined;
      return (batch) =>
        c.sendFlows(batch).then((answer) => {
          hint.contact();
          return answer;
        });
    })
    .catch((e: unknown) => {
      log.error({ error: (e as Error).message }, "flow collection did not start; enforcing on");
      return undefined;
    });

  const abort = new AbortController();
  const signal = abort.signal;
  let heartbeat: NodeJS.Timeout | undefined;
  const done = (async () => {
    client = await connect(
      config,
      deps,
      signal,
      (c) => {
        client = c;
      },
      (error) => local.contact(false, error),
    );
    if (!client || signal.aborted) return;
    void reporter.send();
    // Every heartbeatMs, or sooner when the controller expects reports more often (it counts an
    // agent offline after three missed periods).
    const beat = () => {
      if (signal.aborted) return;
      const asked = (reporter.controllerHeartbeatS ?? Number.POSITIVE_INFINITY) * 1000;
      heartbeat = setTimeout(
        () => {
          void reporter.send().finally(beat);
        },
        Math.min(config.heartbeatMs ?? 5000, asked),
      );
      heartbeat.unref();
    };
    beat();
    await syncPolicy({
      client,
      onPolicy: (p) => dataplane.onUpdate(p),
      known,
      beforePolicy: beforePolicyRuleSet(config.beforePolicy),
      waitS: config.waitS,
      signal,
      contact: hint,
      log,
      observer: deps.observer,
    });
  })();
  done.catch(() => undefined);
  const stop = async () => {
    abort.abort();
    const still = local.stop();
    tamper.stop();
    if (heartbeat) clearTimeout(heartbeat);
    dataplane.stop();
    await flows?.stop().catch(() => undefined);
    await done.catch(() => undefined);
    await still;
  };
  const reportStop = async () => {
    const now = new Date();
    const window = await openWindowAt(dir, now);
    const cause = window ? undefined : await stopCause(now);
    const events = [...reporter.queuedEvents(), stopEvent(window, now, cause)];
    const outcome = await deliverOrQueue(dir, events, STOP_REPORT_MS);
    log.info({ sanctioned: window !== undefined, outcome }, "stop reported");
    return outcome;
  };
  return { dataplane, reporter, tamper, flows, local, done, stop, reportStop };
}

/**
 * What happens with each accepted status answer: the controller was reached; a new maintenance
 * token hash is kept on disk; events a previous run queued (put in the reporter here) leave the
 * outbox once the controller took them.
 */
async function answerHandler(
  dir: string,
  reporter: StatusReporter,
  local: LocalStatus,
  log: AgentDeps["log"],
  hint: ContactHint,
): Promise<NonNullable<StatusReporter["onAnswer"]>> {
  let hash = (await readMaintenanceHash(dir).catch(() => undefined))?.hash;
  let waiting = await readOutbox(dir);
  for (const e of waiting) reporter.event(e);
  return (answer) => {
    local.contact(true);
    hint.contact();
    const next = answer.maintenanceHash;
    if (next !== undefined && next !== hash) {
      hash = next;
      writeMaintenanceHash(dir, next, new Date()).then(
        () => log.info("maintenance token hash received"),
        (e: unknown) => log.error({ error: (e as Error).message }, "maintenance hash not stored"),
      );
    }
    if (waiting.length === 0) return;
    // After the reporter removed what this answer accepted (it does so right after this call).
    queueMicrotask(() => {
      const queued = new Set(reporter.queuedEvents());
      if (waiting.some((e) => queued.has(e))) return;
      const sent = waiting;
      waiting = [];
      void forgetEvents(dir, sent).catch(() => undefined);
    });
  };
}

/**
 * Step 1 (also the boot-time restore, restore.ts); returns the hash of the stored policy (the
 * long-poll's `known`).
 */
export async function enforceBeforeContact(
  config: Pick<AgentConfig, "beforePolicy">,
  deps: Pick<AgentDeps, "store" | "log">,
  dataplane: DataplaneManager,
): Promise<string | undefined> {
  let stored: DesiredPolicy | undefined;
  try {
    const lg = await deps.store.readLastGood();
    if (lg) stored = { ...lg, source: "stored" };
  } catch (e) {
    deps.log.error({ error: (e as Error).message }, "stored last good policy unreadable; ignored");
  }
  const ruleSet = beforePolicyRuleSet(config.beforePolicy);
  dataplane.onUpdate(
    stored ?? { revision: null, ruleSet, management: EMPTY_SET, source: "before-policy" },
  );
  await dataplane.flush();
  if (!dataplane.enforced)
    deps.log.error("nothing could be enforced before contacting the controller");
  return stored?.ruleSet.hash;
}

/** Step 2, retried until it works, the agent stops, or the controller refuses us. */
async function connect(
  config: AgentConfig,
  deps: AgentDeps,
  signal: AbortSignal,
  onClient: (c: ControllerClient) => void,
  onUnreachable: (error: string) => void,
): Promise<ControllerClient | undefined> {
  const backoff = createBackoff();
  let credential: string | undefined;
  while (!signal.aborted) {
    try {
      const ca = await deps.pinCa();
      const client = deps.connect(ca, () => credential);
      const identity = await ensureIdentity(deps.store, client, config, deps.hostFacts());
      credential = identity.credential;
      deps.log.info({ agentId: identity.agentId, workload: identity.workload }, "connected");
      onClient(client);
      return client;
    } catch (e) {
      if (e instanceof MicrosegError) throw e;
      if (e instanceof ControllerError && e.refused) throw e;
      const delay = retryAfter(e) ?? backoff.next();
      onUnreachable((e as Error).message);
      deps.log.warn(
        { error: (e as Error).message, retryInMs: delay },
        "cannot reach the controller",
      );
      await sleep(delay, signal);
    }
  }
  return undefined;
}
