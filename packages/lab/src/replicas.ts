// The lab's controller processes: one by default (SQLite in DIR/controller-data), or N replicas
// on one PostgreSQL database (`lab up --replicas N --store postgres://…`):
//
//   replica i (i = 0 … N-1), one after the other from 0 (the first start makes the CA, admin
//   token and audit key in DIR/controller-data; the others find them there and share them):
//     [store relay i: DIR/store-i/.s.PGSQL.5432 ──> the database]   pid recorded at spawn
//     controller i in mseg-<lab>.ctl, HTTPS on 198.18.0.1:8443+i     pid recorded at spawn
//       (store: the --store URL through relay i), relayed to https://127.0.0.1:P_i
//   with --bus nats://…: before replica 0, two relays per bus server (bus-relay.ts), shared by
//   every replica; each replica gets --bus nats://127.0.0.1:PORT for each server
//
// state.controller stays the first replica with the token and CA (what older readers use);
// state.controllers lists every replica, so agents get every agentUrl and `lab down` ends them.
import { MicrosegError } from "@microseg/core";
import { busServers, relayedBusUrls, startBusRelays } from "./bus-relay.js";
import { readAdminToken, startLabController } from "./controller-process.js";
import { controllerNamespace } from "./naming.js";
import { isRelay } from "./relay.js";
import { CONTROLLER_PORT_NUMBER } from "./scenario/addresses.js";
import {
  controllerDataDir,
  controllerLogPath,
  type LabState,
  type StateController,
  type StateReplica,
  storeRelayLogPath,
} from "./state.js";
import { relayedStoreUrl, startStoreRelay, storeAddress, storeRelayDir } from "./store-relay.js";

export const MAX_REPLICAS = 16;

export interface ReplicaContext {
  readonly lab: string;
  readonly dir: string;
  readonly managementServices: readonly string[];
  /** Applies a change to the lab state and writes it (pids are recorded as spawned). */
  readonly update: (change: (s: LabState) => LabState) => LabState;
  /** The database the replicas share (postgres://…); undefined: SQLite, one replica only. */
  readonly store?: string;
  /** nats://… servers of the replicas' flow bus (bus-relay.ts); undefined: no bus. */
  readonly bus?: readonly string[];
}

/**
 * Refuses what cannot work before anything is created: replicas need a shared database, and a
 * bus is for replicas on one.
 */
export function checkReplicas(
  replicas: number,
  store: string | undefined,
  bus?: readonly string[],
): void {
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > MAX_REPLICAS) {
    throw new MicrosegError(
      "MSEG_USAGE",
      `--replicas ${replicas}: give a whole number from 1 to ${MAX_REPLICAS}`,
    );
  }
  if (store !== undefined) storeAddress(store); // a non-PostgreSQL URL is refused here
  if (replicas > 1 && store === undefined) {
    throw new MicrosegError(
      "MSEG_USAGE",
      `--replicas ${replicas} needs --store postgres://USER@HOST:PORT/DATABASE: the default SQLite ` +
        "database belongs to one controller process",
    );
  }
  if (bus === undefined) return;
  busServers(bus); // a URL that is not nats://HOST:PORT is refused here
  if (store === undefined) {
    throw new MicrosegError(
      "MSEG_USAGE",
      "--bus needs --store postgres://USER@HOST:PORT/DATABASE: the bus carries flows between " +
        "replicas that share one database",
    );
  }
}

/** Starts replicas 0 … n-1; answers the first (token, CA) and every replica's agent URL. */
export async function startReplicas(
  ctx: ReplicaContext,
  n: number,
): Promise<{ first: StateController; agentUrls: string[] }> {
  if (ctx.bus !== undefined) await startBusRelays({ ...ctx, bus: ctx.bus });
  const first = await startReplica(ctx, 0);
  const rest = [];
  for (let i = 1; i < n; i += 1) rest.push(await startReplica(ctx, i));
  return { first, agentUrls: [first, ...rest].map((r) => r.agentUrl) };
}

/**
 * Starts replica `i` (again, after a stop: its relay is reused while it runs, the loopback port
 * `relayPort` when free) and records it.
 */
export async function startReplica(
  ctx: ReplicaContext,
  i: number,
  relayPort = 0,
): Promise<StateController> {
  const netns = controllerNamespace(ctx.lab);
  const dataDir = controllerDataDir(ctx.dir);
  const store = ctx.store === undefined ? undefined : await relayStore(ctx, i);
  const started = await startLabController(
    {
      netns,
      dataDir,
      logFile: controllerLogPath(ctx.dir, i),
      relayPort,
      managementServices: ctx.managementServices,
      port: CONTROLLER_PORT_NUMBER + i,
      ...(store !== undefined && { store }),
      ...(ctx.bus !== undefined && { bus: relayedBusUrls(ctx.bus) }),
    },
    (pid) => ctx.update((s) => withReplica(s, i, { pid })),
  );
  const controller: StateController = {
    url: started.url,
    agentUrl: started.agentUrl,
    token: started.adminToken ?? readAdminToken(dataDir),
    caFingerprint: started.caFingerprint,
    caPem: started.caPem,
    pid: started.pid,
    netns,
    dataDir,
    managementServices: ctx.managementServices,
  };
  ctx.update((s) => {
    const next = withReplica(s, i, {
      url: started.url,
      agentUrl: started.agentUrl,
      pid: started.pid,
    });
    return i === 0 ? { ...next, controller } : next;
  });
  return controller;
}

/** Replica i's store URL, through its relay (started unless the recorded one still runs). */
export async function relayStore(ctx: ReplicaContext, i: number): Promise<string> {
  const store = ctx.store as string;
  const target = storeAddress(store);
  if (target === undefined) return store;
  const socketDir = storeRelayDir(ctx.dir, i);
  const recorded = ctx.update((s) => s).controllers?.[i]?.storeRelayPid ?? 0;
  if (!isRelay(recorded)) {
    await startStoreRelay(target, socketDir, storeRelayLogPath(ctx.dir, i), (pid) =>
      ctx.update((s) => withReplica(s, i, { storeRelayPid: pid })),
    );
  }
  return relayedStoreUrl(store, socketDir);
}

function withReplica(s: LabState, i: number, patch: Partial<StateReplica>): LabState {
  const controllers = [...(s.controllers ?? [])];
  while (controllers.length <= i) controllers.push({ url: "", agentUrl: "", pid: 0 });
  controllers[i] = { ...(controllers[i] as StateReplica), ...patch };
  const c = s.controller;
  const first =
    i === 0 && c !== undefined && patch.pid !== undefined ? { ...c, pid: patch.pid } : c;
  return { ...s, controllers, ...(first !== undefined && { controller: first }) };
}
