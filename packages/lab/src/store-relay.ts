// The replicas' way to the database (programs/lab-relay.js, relay.ts): one relay process per
// replica in the root namespace, listening on DIR/store-<i>/.s.PGSQL.5432, and the store URL
// rewritten so the replica's PostgreSQL driver connects to that socket (the driver takes a
// directory as `host` and connects to `<dir>/.s.PGSQL.<port>`; no port: 5432).
//
//   --store postgres://u:pw@127.0.0.1:5433/db?sslmode=disable
//   replica i gets postgres://u:pw@/db?sslmode=disable&host=DIR/store-i   (relay -> 127.0.0.1:5433)
//
// A URL that already names a socket directory (`?host=/run/postgresql`) needs no relay: a unix
// socket is reachable from the controller namespace as it is.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { MicrosegError, maskUrlPassword } from "@microseg/core";
import { startRelay, userinfo } from "./relay.js";

const DEFAULT_PG_PORT = 5432;

/** Where the database really is (TCP), or undefined when the URL names a unix socket already. */
export function storeAddress(store: string): { host: string; port: number } | undefined {
  // postgres://u@/db?host=/dir is no WHATWG URL (empty host after userinfo): recognised as such.
  if (/^postgres(ql)?:\/\/[^?]*\?(.*&)?host=(\/|%2F)/i.test(store)) return undefined;
  const url = parseStore(store);
  if (url.hostname === "") return undefined;
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  return { host, port: url.port === "" ? DEFAULT_PG_PORT : Number(url.port) };
}

/** The store URL replica `i` uses: the same database, reached through its relay's socket. */
export function relayedStoreUrl(store: string, socketDir: string): string {
  if (storeAddress(store) === undefined) return store;
  const url = parseStore(store);
  const auth = userinfo(url);
  const params = new URLSearchParams(url.searchParams);
  params.set("host", socketDir);
  return `${url.protocol}//${auth}${url.pathname}?${params}`;
}

/** The directory holding replica `i`'s relay socket. */
export function storeRelayDir(dir: string, replica: number): string {
  return join(dir, `store-${replica}`);
}

function parseStore(store: string): URL {
  try {
    const url = new URL(store);
    if (url.protocol === "postgres:" || url.protocol === "postgresql:") return url;
  } catch {
    // reported below
  }
  throw new MicrosegError(
    "MSEG_USAGE",
    `--store "${maskUrlPassword(store)}" is not a PostgreSQL URL: give postgres://USER@HOST:PORT/DATABASE`,
  );
}

/** Starts replica `i`'s relay (root namespace, detached); resolves to its pid once it listens. */
export async function startStoreRelay(
  target: { host: string; port: number },
  socketDir: string,
  logFile: string,
  onSpawn: (pid: number) => void,
): Promise<number> {
  mkdirSync(socketDir, { recursive: true, mode: 0o700 });
  const listen = join(socketDir, `.s.PGSQL.${DEFAULT_PG_PORT}`);
  const host = target.host.includes(":") ? `[${target.host}]` : target.host;
  return startRelay({ listen, target: `${host}:${target.port}`, logFile }, onSpawn);
}
