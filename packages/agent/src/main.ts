// Composition root of the host agent: the only place that creates the NftDriver with a real nft
// exec and the HTTP client. Everything below it takes interfaces (tests pass fakes).
//
//   runAgentProcess(options)
//     ├─ assertNamespaceAllowed ── refuses the root netns unless --host-namespace
//     ├─ serveMetrics(--metrics-listen) ── only when asked; bound before anything is enforced,
//     │                                    so a port in use fails the start, not a running agent
//     ├─ openStateStore(DIR) ────────────────────────────┐
//     ├─ controllerAddresses(URLS) ─ management hosts    │   (URLS: --controller URL1,URL2,…;
//     ├─ controllerChannel(URLS) ─── tcp/PORTs, the only ports │  every URL's, so a standby
//     │                              the agent opens towards them  replica stays reachable)
//     ├─ pinCa: GET /api/ca.pem (insecure, from whichever answers) → == --ca-fingerprint → ca.pem
//     ├─ connect(ca, credential) → controllerTransport(URLS, {ca}): one node:http(s) transport
//     │    per URL, failover on network errors/timeouts/5xx → createControllerClient
//     ├─ one `nft -j -t -i` session for terse listings (drift backstop, flow attempts)
//     ├─ driverFor(management, access) → new NftDriver({management, managementAccess, …})
//     └─ startAgent(config, deps)
//          ├─ DataplaneManager ── NftDriver (kernel)     ├─ StateStore (last good, identity)
//          ├─ TamperWatch ──────── DataplaneManager      └─ StatusReporter ── ControllerClient
//          │    └─ nftMonitor (`nft monitor ruleset` child: change -> check at once)
//          ├─ syncPolicy (long-poll) ── onUpdate
//          └─ flows (unless --flows off): startFlowCollection ── conntrack -E child, nft listing,
//               FlowBuffer (DIR/flows) ── FlowSender ── ControllerClient.sendFlows
//          AgentMetrics (observer) ── told of applies, restores, contact, flows sent
//   SIGTERM/SIGINT → stop loops, leave the table in force, close the metrics listener, report
//   the stop (≤ 2 s: sanctioned by `microseg-agent maintenance`, else tampering; queued in
//   DIR/outbox.json when the controller is away), resolve 0.

import { MicrosegError } from "@microseg/core/errors";
import {
  assertNamespaceAllowed,
  createNftSession,
  NftDriver,
  TERSE_LIST_FLAGS,
} from "@microseg/nft";
import { type Logger, pino } from "pino";
import { startAgent } from "./agent.js";
import type { BeforePolicy } from "./before-policy.js";
import { caFingerprint, controllerCa } from "./ca-pin.js";
import { createControllerClient } from "./controller-client.js";
import { checkedController, controllerUrls } from "./controller-urls.js";
import { controllerTransport } from "./failover-transport.js";
import { startFlowCollection } from "./flows/index.js";
import { readHostFacts } from "./host-facts.js";
import { controllerAddresses, controllerChannel } from "./management.js";
import type { AgentMetrics } from "./metrics.js";
import type { MetricsListener } from "./metrics-server.js";
import { notifySystemd } from "./sd-notify.js";
import { openStateStore, stateFiles } from "./state-store.js";
import { nftMonitor } from "./table-monitor.js";

export interface AgentProcessOptions {
  /**
   * The controller URL, or the replicas' "URL1,URL2,…" (controller-urls.ts); default: what this
   * state directory is enrolled with.
   */
  readonly controller?: string;
  readonly caFingerprint?: string;
  readonly enrolKey?: string;
  readonly stateDir: string;
  readonly defaultBeforePolicy?: BeforePolicy;
  readonly hostNamespace?: boolean;
  readonly workload?: string;
  /** Interfaces not reported at enrolment: names, or prefixes ending in `*` (host-facts.ts). */
  readonly skipInterfaces?: readonly string[];
  readonly heartbeatS?: number;
  readonly logLevel?: string;
  /**
   * Backstop tamper check period (ms, default 10 s; nft monitor triggers checks at once) and
   * every how many checks set elements are compared too (default 30: every 5 min).
   */
  readonly tamperMs?: number;
  readonly elementEvery?: number;
  /** Report flows (conntrack + attempt sets); default true. */
  readonly flows?: boolean;
  /** Flow flush period (ms); default 1000. */
  readonly flowIntervalMs?: number;
  /** Bound of the on-disk flow buffer (bytes); default 64 MiB. */
  readonly flowBufferBytes?: number;
  /** HOST:PORT of a plain-HTTP listener for /metrics and /healthz; default: none. */
  readonly metricsListen?: string;
  /** Resolves to stop the agent; default: the first SIGTERM or SIGINT. */
  readonly until?: Promise<unknown>;
}

/** Runs the agent until `until` (default SIGTERM/SIGINT); resolves to the exit code. */
export async function runAgentProcess(options: AgentProcessOptions): Promise<number> {
  const log = pino({ name: "microseg-agent", level: options.logLevel ?? "info" });
  const o = { ...options, ...(await enrolledTarget(options)) };
  checkedController(o.controller, o.caFingerprint, log);
  await assertNamespaceAllowed({ allowRootNamespace: o.hostNamespace === true });
  let metrics: AgentMetrics | undefined;
  let listener: MetricsListener | undefined;
  if (o.metricsListen !== undefined) {
    // Loaded only when asked for: prom-client costs ~5 MiB of RSS.
    const [{ AgentMetrics }, { serveMetrics }] = await Promise.all([
      import("./metrics.js"),
      import("./metrics-server.js"),
    ]);
    metrics = new AgentMetrics();
    listener = await serveMetrics(o.metricsListen, metrics);
    log.info({ url: listener.url }, "metrics listening");
  }
  try {
    return await runWith(o, log, metrics);
  } finally {
    await listener?.close();
  }
}

async function runWith(
  o: AgentProcessOptions & { readonly controller: string },
  log: Logger,
  metrics: AgentMetrics | undefined,
): Promise<number> {
  const store = await openStateStore(o.stateDir);
  const urls = controllerUrls(o.controller);
  const controllerHosts = await controllerAddresses(o.controller, (host, e) =>
    log.warn(
      { host, error: e.message },
      "controller address not resolved; management set incomplete",
    ),
  );
  // One long-lived `nft -i` for the frequent terse listings (drift backstop, flow attempts).
  const listing = createNftSession({ flags: TERSE_LIST_FLAGS, timeoutMs: 10_000 });
  const agent = await startAgent(
    {
      controller: o.controller,
      enrolKey: o.enrolKey,
      workload: o.workload,
      beforePolicy: o.defaultBeforePolicy ?? "deny",
      heartbeatMs: (o.heartbeatS ?? 5) * 1000,
      tamperMs: o.tamperMs ?? 10_000,
      elementEvery: o.elementEvery ?? 30,
    },
    {
      store,
      controllerHosts,
      controllerChannel: controllerChannel(o.controller),
      driverFor: (management, managementAccess) =>
        new NftDriver({
          management,
          managementAccess,
          allowRootNamespace: o.hostNamespace === true,
          listExec: listing.exec,
        }),
      pinCa: () => controllerCa(o.controller, o.caFingerprint, store, log),
      connect: (ca, credential) =>
        createControllerClient(controllerTransport(urls, { ca }, log), credential),
      hostFacts: () => readHostFacts(o.skipInterfaces),
      flows:
        o.flows === false
          ? undefined
          : (send) =>
              startFlowCollection({
                stateDir: o.stateDir,
                intervalMs: o.flowIntervalMs,
                bufferBytes: o.flowBufferBytes,
                terseList: listing.exec,
                send,
                log,
                ...(metrics !== undefined && {
                  onSent: (batch) => metrics.flowsSent(batch.records.length),
                }),
              }),
      changes: nftMonitor({
        table: "microseg",
        onError: (message) => log.warn({ message }, "table monitor"),
      }),
      observer: metrics,
      log,
    },
  ).catch((e: unknown) => {
    listing.close();
    throw e;
  });
  metrics?.watch(agent);
  log.info({ controller: o.controller, stateDir: o.stateDir }, "agent started");
  // Ready once a policy (stored, else the before-first-policy table) is enforced: step 1 is done.
  await notifySystemd("READY=1", agent.dataplane.enforced ? "enforcing" : "nothing enforced yet");
  const stopped = o.until ?? signalled();
  const outcome = await Promise.race([
    stopped.then(() => 0),
    agent.done.then(
      () => 0,
      (e: unknown) => e,
    ),
  ]);
  await notifySystemd("STOPPING=1");
  await agent.stop();
  listing.close();
  if (outcome !== 0) throw outcome;
  await agent.reportStop();
  log.info("agent stopped; the table stays in force");
  return 0;
}

function signalled(): Promise<void> {
  return new Promise((resolve) => {
    process.once("SIGTERM", () => resolve());
    process.once("SIGINT", () => resolve());
  });
}

/**
 * The controller and CA fingerprint: as given, else those of the state directory's enrolment (the
 * identity's URL and the pinned CA), so an enrolled host's service needs no flags for them.
 */
async function enrolledTarget(
  o: AgentProcessOptions,
): Promise<{ controller: string; caFingerprint?: string }> {
  if (o.controller !== undefined) {
    return { controller: o.controller, ...(o.caFingerprint && { caFingerprint: o.caFingerprint }) };
  }
  const files = stateFiles(o.stateDir);
  const [identity, ca] = await Promise.all([files.readIdentity(), files.readCa()]);
  if (!identity) {
    throw usage(
      `${o.stateDir} holds no enrolment: pass --controller (and --enrol-key), or run ` +
        "`microseg-agent enrol` first",
    );
  }
  return {
    controller: identity.controller,
    ...(ca !== undefined && { caFingerprint: caFingerprint(ca) }),
  };
}

function usage(message: string): MicrosegError {
  return new MicrosegError("MSEG_USAGE", message);
}
