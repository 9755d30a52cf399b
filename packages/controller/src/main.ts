// Composition root of the controller: the ONLY place that opens a concrete store.
//
//   startController({dataDir, listen, http?, san?, consoleDir?})
//        │
//        ├─ resolveConsoleDir                ── --console DIR, else @microseg/web's dist (or none)
//        ├─ openSqliteStore({dir: dataDir})  ── DATA/microseg.db (WAL, synchronous FULL, migrations)
//        ├─ ensureAdminToken(store)          ── first start: DATA/admin.token (0600), returned once
//        ├─ ensureTls(dataDir, names)        ── DATA/tls/{ca,server}.{pem,key}; CA fingerprint
//        ├─ buildController({store, settings})
//        │        ├─ PolicyHub (active revision + inventory, incremental Compiler, long-polls)
//        │        ├─ DetectionService (flow stream -> alerts -> store, webhooks, syslog)
//        │        └─ Hono app (http/*)  ──>  use-cases/*  ──>  Store port
//        ├─ serve(app)                       ── node https (or http with --http)
//        └─ startFlowRetention(ctx)          ── prunes flow edges older than --flow-retention
//
//   close(): hub.close() (held long-polls answered 204) -> server close -> detection.close()
//            -> store.close()
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { MicrosegError } from "@microseg/core";
import { openSqliteStore, type SqliteSync } from "@microseg/store";
import { buildController } from "./build.js";
import { type DetectionFlags, detectionConfigFrom } from "./detect/config.js";
import { startFlowRetention } from "./flows/retention.js";
import { defaultConsoleDir, isConsoleDir } from "./http/console.js";
import { isUnspecified, managementAccess, managementAddresses, parseListen } from "./listen.js";
import type { LogOption } from "./logger.js";
import { boundPort, closeServer, serve } from "./server.js";
import { ensureTls } from "./tls/ensure-tls.js";
import { ensureAdminToken } from "./use-cases/tokens.js";

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
  /**
   * Services the controller's addresses may reach on every workload (`tcp/22`…); nothing else
   * but the agent channel is allowed to or from them. Default: none.
   */
  readonly managementServices?: readonly string[];
  /** SQLite `synchronous`: `full` (default, a commit is on disk before the answer) or `normal`. */
  readonly sync?: SqliteSync;
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
  const store = openSqliteStore({
    dir: opts.dataDir,
    ...(opts.sync !== undefined && { synchronous: opts.sync }),
  });
  try {
    const adminToken = await ensureAdminToken({ store });
    if (adminToken !== undefined) {
      writeFileSync(join(opts.dataDir, ADMIN_TOKEN_FILE), `${adminToken}\n`, { mode: 0o600 });
    }
    const names = [...(isUnspecified(listen.host) ? [] : [listen.host]), ...(opts.san ?? [])];
    const tls = opts.http === true ? undefined : await ensureTls(opts.dataDir, names);
    const built = await buildController({
      store,
      log: opts.log,
      detection,
      settings: {
        caFingerprint: tls?.caFingerprint ?? null,
        caPem: tls?.caPem ?? null,
        management: managementAddresses(listen.host),
        managementAccess: access,
        consoleDir,
        ...(opts.heartbeatSeconds !== undefined && { heartbeatSeconds: opts.heartbeatSeconds }),
        ...(opts.flowRetentionMs !== undefined && { flowRetentionMs: opts.flowRetentionMs }),
      },
    });
    const { ctx, app } = built;
    const server = await serve(app, {
      listen,
      ...(tls !== undefined && { tls: { cert: tls.certPem, key: tls.keyPem } }),
    });
    const host = isUnspecified(listen.host) ? "127.0.0.1" : listen.host;
    const url = `${tls === undefined ? "http" : "https"}://${host.includes(":") ? `[${host}]` : host}:${boundPort(server)}`;
    ctx.log.info({ url, caFingerprint: tls?.caFingerprint ?? null }, "controller listening");
    const stopRetention = startFlowRetention(ctx);
    let closing: Promise<void> | undefined;
    return {
      url,
      caFingerprint: tls?.caFingerprint ?? null,
      caPem: tls?.caPem ?? null,
      ...(adminToken !== undefined && { adminToken }),
      close: () => {
        closing ??= (async () => {
          ctx.hub.close();
          stopRetention();
          await closeServer(server);
          await ctx.statusReports.flush();
          await ctx.flowIngest.commits.flush();
          await built.detection.close();
          await store.close();
          ctx.log.info("controller stopped");
        })();
        return closing;
      },
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}

/** --console DIR must hold a built console; without it, the web package's build if present. */
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
