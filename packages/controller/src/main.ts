// Composition root of the controller: the ONLY place that opens a concrete store.
//
//   startController({dataDir, listen, http?, san?, consoleDir?})
//        │
//        ├─ resolveConsoleDir                ── --console DIR, else @microseg/web's dist (or none)
//        ├─ openStore(dataDir, auditKeyFile) ── DATA/microseg.db (WAL, synchronous FULL,
//        │                                      migrations) or --store postgres://…, sealed with
//        │                                      DATA/audit.key or --audit-key (made on first start)
//        ├─ underStartLock (start-lock.ts; replicas on one database make these once):
//        │    ├─ ensureAdminToken(store, persist) ── first start: DATA/admin.token (0600, atomic)
//        │    │                                      written BEFORE the hash is committed
//        │    └─ ensureTls(dataDir, names)        ── DATA/tls/{ca,server}.{pem,key}; the CA from
//        │                                          the store's shared secret on PostgreSQL
//        ├─ FlowBus.connect(--bus)           ── NATS JetStream: the flow stream, the detector's
//        │                                      durable consumer (bus/flow-bus.ts); optional
//        ├─ buildController({store, settings})
//        │        ├─ PolicyHub (active revision + inventory, incremental Compiler, long-polls)
//        │        ├─ DetectionService (flow stream -> alerts -> store, webhooks, syslog); with a
//        │        │    bus: BusDetection, only while holding the `detection` lease
//        │        ├─ PolicyWorkers (worker threads: draft parse/compile/tests, diff, replay)
//        │        ├─ ControllerMetrics (own prom-client registry, process metrics; /metrics)
//        │        ├─ ChangeFollower (PostgreSQL only: other replicas' changes -> hub, credentials)
//        │        └─ Hono app (http/*)  ──>  use-cases/*  ──>  timed Store port
//        ├─ serve(app)                       ── node https (or http with --http)
//        └─ under a lease each (leases.ts; one replica at a time on a shared store):
//             ├─ AuditAnchors.start()        ── the audit head to the log, webhooks, syslog: at
//             │                                 start, every --audit-anchor-interval, at shutdown
//             └─ startFlowRetention(ctx)     ── prunes flow edges older than --flow-retention
//
//   close(): follower.stop() -> hub.close() (held long-polls answered 204) -> server close -> detection.close()
//            -> leases.close() (anchors' final head; the detector's consumer; leases released)
//            -> bus.close() -> policyWorkers.close() -> store.close()
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { MicrosegError, maskUrlPassword } from "@microseg/core";
import type { Store } from "@microseg/store";
import { DB_FILE, openSqliteStore, type SqliteSync } from "@microseg/store/sqlite";
import { AuditAnchors, DEFAULT_ANCHOR_INTERVAL_MS } from "./audit/anchors.js";
import {
  AUDIT_KEY_FILE,
  auditKeyMissing,
  createAuditKey,
  readAuditKey,
  startKeyedAudit,
} from "./audit/audit-key.js";
import { buildController } from "./build.js";
import type { FlowBus } from "./bus/flow-bus.js";
import { type DetectionConfig, type DetectionFlags, detectionConfigFrom } from "./detect/config.js";
import { startFlowRetention } from "./flows/retention.js";
import { defaultConsoleDir, isConsoleDir } from "./http/console.js";
import type { LeaseTimings } from "./leases.js";
import type { LimitSettings } from "./limits/defaults.js";
import {
  certificateNames,
  isUnspecified,
  managementAccess,
  managementAddresses,
  parseListen,
} from "./listen.js";
import { type LogOption, makeLogger } from "./logger.js";
import { writeSecretFile } from "./secret-file.js";
import { boundPort, closeServer, serve } from "./server.js";
import { underStartLock } from "./start-lock.js";
import { ensureTls } from "./tls/ensure-tls.js";
import { ensureAdminToken, resetAdminToken as replaceAdminToken } from "./use-cases/tokens.js";

export const ADMIN_TOKEN_FILE = "admin.token";

export interface StartOptions {
  readonly dataDir: string;
  /** HOST:PORT; port 0 picks a free one (see the returned url). */
  readonly listen: string;
  /** Plain HTTP instead of HTTPS (tests, development). */
  readonly http?: boolean;
  /** Extra names or addresses for the server certificate. */
  readonly san?: readonly string[];
  readonly log?: LogOption;
  readonly heartbeatSeconds?: number;
  /** How long flow edges are kept (ms; default 28 days), pruned every 10 minutes. */
  readonly flowRetentionMs?: number;
  /** --alert-webhook, --alert-syslog, --auto-quarantine, --decoy (detect/config.ts). */
  readonly detection?: DetectionFlags;
  /** A built console to serve at `/`; default: @microseg/web's dist when it is built. */
  readonly consoleDir?: string;
  /** Agent packages to serve to the one-line installer (default: a package install's). */
  readonly packagesDir?: string;
  /** Time budget of one policy compile in a worker (ms; default 10 s); --compile-timeout. */
  readonly compileTimeoutMs?: number;
  /** Memory budget of one policy compile: a worker's heap in MiB (default 512); --compile-memory. */
  readonly compileMemoryMb?: number;
  /** Quotas, timeouts and connection caps; unset ones keep limits/defaults.ts. */
  readonly limits?: Partial<LimitSettings>;
  /** The audit key file (default DATA/audit.key); keep it on another volume than the data. */
  readonly auditKeyFile?: string;
  /** How often the audit head is exported when it moved (ms; default 5 min; 0: start/stop). */
  readonly auditAnchorIntervalMs?: number;
  /**
   * Services the controller's addresses may reach on every workload (`tcp/22`…); nothing else
   * but the agent channel is allowed to or from them. Default: none.
   */
  readonly managementServices?: readonly string[];
  /** SQLite `synchronous`: `full` (default, a commit is on disk before the answer) or `normal`. */
  readonly sync?: SqliteSync;
  /**
   * postgres://… (--store): keep the state in that PostgreSQL database instead of
   * DATA/microseg.db; several controllers may share it. They share the TLS CA and the tokens
   * through it; each needs the same audit key (--audit-key), which stays out of the database.
   */
  readonly store?: string;
  /** GET /metrics without the admin token (--metrics-public); default false. */
  readonly metricsPublic?: boolean;
  /** Lease TTL and renewal of singleton jobs on a shared store (leases.ts; default 15 s / 3 s). */
  readonly leaseTimings?: LeaseTimings;
  /**
   * nats://HOST:PORT URLs of a NATS JetStream cluster (--bus): flow observations go through it
   * and detection runs on the one replica holding the `detection` lease. Default: no bus,
   * detection in this process on its own flows.
   */
  readonly bus?: readonly string[];
}

export interface RunningController {
  readonly url: string;
  /** null when serving plain HTTP. */
  readonly caFingerprint: string | null;
  readonly caPem: string | null;
  /** Set only on the first start, when the admin token was made. */
  readonly adminToken?: string;
  close(): Promise<void>;
}

export async function startController(opts: StartOptions): Promise<RunningController> {
  const listen = parseListen(opts.listen);
  if (listen === undefined) {
    throw new MicrosegError(
      "MSEG_USAGE",
      `--listen "${opts.listen}" is not HOST:PORT (e.g. 127.0.0.1:8443)`,
    );
  }
  const access = managementAccess(listen.port, opts.managementServices ?? []);
  const consoleDir = resolveConsoleDir(opts.consoleDir);
  const detection = detectionConfigFrom(opts.detection ?? {});
  const servers = opts.bus === undefined ? undefined : busServers(opts.bus);
  const store = await openStore(opts.dataDir, opts.auditKeyFile, opts.sync, opts.store);
  let bus: FlowBus | undefined;
  try {
    if (servers !== undefined) {
      // The NATS client is loaded only with --bus, as the PostgreSQL driver only with --store.
      const { FlowBus } = await import("./bus/flow-bus.js");
      bus = await FlowBus.connect({ servers, log: makeLogger(opts.log) });
    }
    const names = [...certificateNames(listen.host), ...(opts.san ?? [])];
    const shared = (await store.info()).shared;
    const { adminToken, tls } = await underStartLock(store, shared, async () => ({
      adminToken: await ensureAdminToken({ store }, tokenFileWriter(opts.dataDir)),
      tls:
        opts.http === true
          ? undefined
          : await ensureTls(opts.dataDir, names, shared ? store.secrets : undefined),
    }));
    const built = await buildController({
      store,
      ...(opts.leaseTimings !== undefined && { leaseTimings: opts.leaseTimings }),
      log: opts.log,
      detection,
      processMetrics: true,
      ...(bus !== undefined && { bus }),
      settings: {
        caFingerprint: tls?.caFingerprint ?? null,
        caPem: tls?.caPem ?? null,
        management: managementAddresses(listen.host),
        managementAccess: access,
        consoleDir,
        packagesDir: resolvePackagesDir(opts.packagesDir),
        ...(opts.heartbeatSeconds !== undefined && { heartbeatSeconds: opts.heartbeatSeconds }),
        ...(opts.flowRetentionMs !== undefined && { flowRetentionMs: opts.flowRetentionMs }),
        ...(opts.compileTimeoutMs !== undefined && { compileTimeoutMs: opts.compileTimeoutMs }),
        ...(opts.compileMemoryMb !== undefined && { compileMemoryMb: opts.compileMemoryMb }),
        ...(opts.limits !== undefined && { limits: opts.limits }),
        metricsPublic: opts.metricsPublic === true,
      },
    });
    const { ctx, app } = built;
    const server = await serve(app, {
      listen,
      limits: ctx.settings.limits,
      ...(tls !== undefined && { tls: { cert: tls.certPem, key: tls.keyPem } }),
    });
    const host = isUnspecified(listen.host) ? "127.0.0.1" : listen.host;
    const url = `${tls === undefined ? "http" : "https"}://${host.includes(":") ? `[${host}]` : host}:${boundPort(server)}`;
    ctx.log.info({ url, caFingerprint: tls?.caFingerprint ?? null }, "controller listening");
    // One replica prunes and exports anchors at a time (leases.ts); alone, this one.
    ctx.leases.run("flow-retention", () => startFlowRetention(ctx));
    ctx.leases.run("audit-anchors", () => {
      const anchors = new AuditAnchors(store, anchorConfig(opts, detection), ctx.log, ctx.clock);
      anchors.start();
      return () => anchors.close();
    });
    let closing: Promise<void> | undefined;
    return {
      url,
      caFingerprint: tls?.caFingerprint ?? null,
      caPem: tls?.caPem ?? null,
      ...(adminToken !== undefined && { adminToken }),
      close: () => {
        closing ??= (async () => {
          await built.follower?.stop();
          ctx.hub.close();
          await closeServer(server);
          await ctx.statusReports.flush();
          await ctx.flowIngest.commits.flush();
          await built.detection.close();
          await ctx.agentEvents.close();
          await ctx.leases.close();
          // After the leases: the detector's consumer (under its lease) still used it.
          await bus?.close();
          await ctx.policyWorkers.close();
          await store.close();
          ctx.log.info("controller stopped");
        })();
        return closing;
      },
    };
  } catch (err) {
    await bus?.close();
    await store.close();
    throw err;
  }
}

/** --bus URLs: nats://HOST:PORT each (MSEG_USAGE otherwise). */
function busServers(urls: readonly string[]): string[] {
  const list = urls
    .flatMap((u) => u.split(","))
    .map((u) => u.trim())
    .filter((u) => u !== "");
  if (list.length === 0) {
    throw new MicrosegError("MSEG_USAGE", "--bus needs at least one nats://HOST:PORT URL");
  }
  for (const u of list) {
    if (!/^nats:\/\/[^/\s]+:\d+$/.test(u)) {
      throw new MicrosegError(
        "MSEG_USAGE",
        `--bus "${u}" is not nats://HOST:PORT (e.g. nats://10.0.0.7:4222,nats://10.0.0.8:4222)`,
      );
    }
  }
  return list;
}

/**
 * Opens DATA/microseg.db sealed with the audit key. A missing key file gets a new key only when
 * the log was never keyed; a keyed log without its key is refused (MSEG_AUDIT_KEY_MISSING).
 */
async function openStore(
  dataDir: string,
  auditKeyFile?: string,
  sync?: SqliteSync,
  storeUrl?: string,
): Promise<Store> {
  const open = await storeOpener(dataDir, sync, storeUrl);
  const keyFile = auditKeyFile ?? join(dataDir, AUDIT_KEY_FILE);
  let key = readAuditKey(keyFile);
  if (key === undefined) {
    const probe = await open(undefined);
    const epoch = await probe.audit.epoch().finally(() => probe.close());
    if (epoch !== undefined) throw auditKeyMissing(keyFile, epoch);
    key = createAuditKey(keyFile);
  }
  const store = await open(key);
  try {
    await startKeyedAudit(store, key, keyFile);
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

/**
 * How to open the store: DATA/microseg.db, or the PostgreSQL database of a postgres:// URL (its
 * adapter and driver are loaded only then).
 */
async function storeOpener(
  dataDir: string,
  sync: SqliteSync | undefined,
  url: string | undefined,
): Promise<(auditKey: Uint8Array | undefined) => Promise<Store>> {
  if (url === undefined) {
    return async (auditKey) =>
      openSqliteStore({
        dir: dataDir,
        ...(auditKey !== undefined && { auditKey }),
        ...(sync !== undefined && { synchronous: sync }),
      });
  }
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new MicrosegError(
      "MSEG_USAGE",
      `--store "${maskUrlPassword(url)}" is not a PostgreSQL URL: give postgres://USER@HOST:PORT/DATABASE, or leave --store out for DATA/${DB_FILE}`,
    );
  }
  const { openPostgresStore } = await import("@microseg/store/postgres");
  return (auditKey) => openPostgresStore({ url, ...(auditKey !== undefined && { auditKey }) });
}

const tokenFileWriter = (dataDir: string) => (token: string) =>
  writeSecretFile(join(dataDir, ADMIN_TOKEN_FILE), `${token}\n`, { replace: true });

/**
 * `microseg controller reset-admin-token`: a new admin token in place of the old, written to
 * DATA/admin.token and audited. Works beside a running controller (the same SQLite file; WAL and
 * the busy timeout let both write) and on a stopped one.
 */
export async function resetAdminToken(opts: {
  readonly dataDir: string;
  readonly auditKeyFile?: string;
  /** Who did it, for the audit log (e.g. local/root). */
  readonly actor: string;
}): Promise<string> {
  if (!existsSync(join(opts.dataDir, DB_FILE))) {
    throw new MicrosegError(
      "MSEG_USAGE",
      `--data ${opts.dataDir} holds no ${DB_FILE}: point --data at the controller's data directory (a first start makes the admin token itself)`,
    );
  }
  const store = await openStore(opts.dataDir, opts.auditKeyFile);
  try {
    return await replaceAdminToken({ store }, tokenFileWriter(opts.dataDir), opts.actor);
  } finally {
    await store.close();
  }
}

const anchorConfig = (opts: StartOptions, d: DetectionConfig) => ({
  intervalMs: opts.auditAnchorIntervalMs ?? DEFAULT_ANCHOR_INTERVAL_MS,
  webhooks: d.webhooks,
  syslog: d.syslog,
  ...(d.webhookSecret !== undefined && { webhookSecret: d.webhookSecret }),
});

/** --console DIR must hold a built console; without it, the web package's build if present. */
/**
 * The packages of a package install (/usr/share/microseg/packages beside /usr/lib/microseg, where
 * the bundle runs from), else none; --packages names another directory.
 */
function resolvePackagesDir(dir: string | undefined): string | null {
  if (dir !== undefined) {
    if (!existsSync(dir))
      throw new MicrosegError("MSEG_USAGE", `--packages "${dir}" does not exist`);
    return dir;
  }
  const installed = fileURLToPath(new URL("../../share/microseg/packages", import.meta.url));
  return existsSync(installed) ? installed : null;
}

function resolveConsoleDir(dir: string | undefined): string | null {
  if (dir === undefined) return defaultConsoleDir();
  if (!isConsoleDir(dir)) {
    throw new MicrosegError(
      "MSEG_USAGE",
      `--console "${dir}" has no index.html; point it at a built console (npm run build makes packages/web/dist)`,
    );
  }
  return dir;
}
