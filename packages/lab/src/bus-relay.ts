// The replicas' way to the NATS JetStream bus (`lab up --bus nats://HOST:PORT,…`): per bus
// server two relays (programs/lab-relay.js, relay.ts) and a socket file between them,
//
//   replica (mseg-<lab>.ctl) ──TCP 127.0.0.1:PORT──> relay k (in mseg-<lab>.ctl)
//     ──DIR/bus-k.sock──> relay k (root namespace) ──TCP──> HOST:PORT (nats-server)
//
// so every replica is given nats://127.0.0.1:PORT for each server: the given URLs themselves
// when they name 127.0.0.1. The port is kept because a NATS cluster tells its clients where its
// members are (the addresses they listen on, 127.0.0.1:PORT for a cluster on this machine): with
// a relay on each member's port, those addresses work from the controller namespace as well.
// The relays are shared by the replicas and run until `lab down`.
import { join } from "node:path";
import { MicrosegError, maskUrlPassword } from "@microseg/core";
import { controllerNamespace } from "./naming.js";
import { startRelay, userinfo } from "./relay.js";
import type { LabState } from "./state.js";

export interface BusServer {
  readonly host: string;
  readonly port: number;
  /** USER[:PASSWORD]@ as given, or "". */
  readonly auth: string;
}

/** The servers of `--bus` (each value may list several, comma-separated); MSEG_USAGE if wrong. */
export function busServers(bus: readonly string[]): BusServer[] {
  const urls = bus
    .flatMap((b) => b.split(","))
    .map((u) => u.trim())
    .filter((u) => u !== "");
  if (urls.length === 0) {
    throw new MicrosegError("MSEG_USAGE", "--bus needs at least one nats://HOST:PORT URL");
  }
  const byPort = new Map<number, BusServer>();
  for (const u of urls) {
    const s = parseBusUrl(u);
    const other = byPort.get(s.port);
    if (other !== undefined && other.host !== s.host) {
      throw new MicrosegError(
        "MSEG_USAGE",
        `--bus: ${other.host}:${s.port} and ${s.host}:${s.port} share a port; the lab's replicas ` +
          "reach each bus server at 127.0.0.1:PORT, so give servers with distinct ports",
      );
    }
    byPort.set(s.port, s);
  }
  return [...byPort.values()];
}

function parseBusUrl(u: string): BusServer {
  const bad = () =>
    new MicrosegError(
      "MSEG_USAGE",
      `--bus "${maskUrlPassword(u)}" is not nats://HOST:PORT (e.g. nats://127.0.0.1:4222,nats://127.0.0.1:4223)`,
    );
  let url: URL;
  try {
    url = new URL(u);
  } catch {
    throw bad();
  }
  if (url.protocol !== "nats:" || url.hostname === "" || url.port === "") throw bad();
  if (url.pathname !== "" && url.pathname !== "/") throw bad();
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: Number(url.port),
    auth: userinfo(url),
  };
}

/** The bus URLs as a replica in the controller namespace uses them (through its relays). */
export function relayedBusUrls(bus: readonly string[]): string[] {
  return busServers(bus).map((s) => `nats://${s.auth}127.0.0.1:${s.port}`);
}

export function busSocketPath(dir: string, k: number): string {
  return join(dir, `bus-${k}.sock`);
}

export interface BusRelayContext {
  readonly lab: string;
  readonly dir: string;
  readonly bus: readonly string[];
  readonly update: (change: (s: LabState) => LabState) => LabState;
}

/** Starts both relays of every bus server, each pid recorded (state.busRelays) as spawned. */
export async function startBusRelays(ctx: BusRelayContext): Promise<void> {
  const record = (pid: number) =>
    ctx.update((s) => ({ ...s, busRelays: [...(s.busRelays ?? []), pid] }));
  const servers = busServers(ctx.bus);
  for (const [k, s] of servers.entries()) {
    const socket = busSocketPath(ctx.dir, k);
    const logFile = join(ctx.dir, `bus-relay-${k}.log`);
    const host = s.host.includes(":") ? `[${s.host}]` : s.host;
    await startRelay({ listen: socket, target: `${host}:${s.port}`, logFile }, record);
    await startRelay(
      {
        listen: `127.0.0.1:${s.port}`,
        target: socket,
        logFile,
        netns: controllerNamespace(ctx.lab),
      },
      record,
    );
  }
}
