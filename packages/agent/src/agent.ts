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
// stop() ends the loops and leaves the table in force (fail static).

import type { PortMatch } from "@microseg/core";
import { MicrosegError } from "@microseg/core/errors";
import type { FlowBatch, FlowBatchAck } from "@microseg/protocol/agent";
import type { Logger } from "pino";
import { createBackoff, sleep } from "./backoff.js";
import { type BeforePolicy, beforePolicyRuleSet } from "./before-policy.js";
import { type ControllerClient, ControllerError, retryAfter } from "./controller-client.js";
import { DataplaneManager, type DesiredPolicy, type DriverFactory } from "./dataplane.js";
import type { FlowCollection } from "./flows/index.js";
import type { HostFacts } from "./host-facts.js";
import { ensureIdentity } from "./identity.js";
import { EMPTY_SET } from "./management.js";
import type { AgentObserver } from "./metrics.js";
import { syncPolicy } from "./policy-sync.js";
import type { StateStore } from "./state-store.js";
import { StatusReporter } from "./status-reporter.js";
import type { ChangeFeed } from "./table-monitor.js";
import { TamperWatch } from "./tamper-watch.js";

export interface AgentConfig {
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
  /** The controller's addresses (always in the management set). */
  readonly controllerHosts: readonly string[];
  /** The channel to them: TCP to the controller URL's port (always allowed outbound). */
  readonly controllerChannel: readonly PortMatch[];
  /** The pinned CA (https) or undefined (http); may fail with a network error (retried). */
  readonly pinCa: () => Promise<string | undefined>;
  /** A client that trusts only `ca` and sends `credential()` as its Bearer token. */
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
  /** Resolves after stop(); rejects when the agent gave up (refused pin or enrolment). */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

export async function startAgent(config: AgentConfig, deps: AgentDeps): Promise<RunningAgent> {
  const { log } = deps;
  let client: ControllerClient | undefined;
  const reporter = new StatusReporter(
    () => client,
    (e) => log.debug({ error: (e as Error).message }, "status report not delivered"),
  );
  const dataplane = new DataplaneManager({
    driverFor: deps.driverFor,
    store: deps.store,
    reporter,
    log,
    controllerHosts: deps.controllerHosts,
    controllerChannel: deps.controllerChannel,
    batchMs: config.batchMs,
    observer: deps.observer,
  });
  const known = await enforceBeforeContact(config, deps, dataplane);
  const tamper = new TamperWatch({
    dataplane,
    reporter,
    log,
    intervalMs: config.tamperMs,
    elementEvery: config.elementEvery,
    changes: deps.changes,
    observer: deps.observer,
  });
  tamper.start();
  const flows = await deps
    .flows?.(() => (client ? (batch) => (client as ControllerClient).sendFlows(batch) : undefined))
    .catch((e: unknown) => {
      log.error({ error: (e as Error).message }, "flow collection did not start; enforcing on");
      return undefined;
    });

  const abort = new AbortController();
  const signal = abort.signal;
  let heartbeat: NodeJS.Timeout | undefined;
  const done = (async () => {
    client = await connect(config, deps, signal, (c) => {
      client = c;
    });
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
      log,
      observer: deps.observer,
    });
  })();
  done.catch(() => undefined);
  const stop = async () => {
    abort.abort();
    tamper.stop();
    if (heartbeat) clearTimeout(heartbeat);
    dataplane.stop();
    await flows?.stop().catch(() => undefined);
    await done.catch(() => undefined);
  };
  return { dataplane, reporter, tamper, flows, done, stop };
}

/** Step 1; returns the hash of the stored policy (the long-poll's `known`). */
async function enforceBeforeContact(
  config: AgentConfig,
  deps: AgentDeps,
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
      deps.log.warn(
        { error: (e as Error).message, retryInMs: delay },
        "cannot reach the controller",
      );
      await sleep(delay, signal);
    }
  }
  return undefined;
}
