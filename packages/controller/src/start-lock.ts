// The first start of replicas on one database: the admin token and the CA must be made once.
// Each maker checks-then-writes (a file before the store, so a crash never leaves a committed
// secret without its file), which two replicas starting together would both pass. So on a shared
// store they run under the lease "first-start" (leases.ts): one replica at a time; the next finds
// them made. A replica that dies holding it delays the others by at most the TTL.
import type { Store } from "@microseg/store";
import { holderName } from "./leases.js";

const LOCK = "first-start";
const TTL_MS = 60_000;
const POLL_MS = 200;

export async function underStartLock<T>(
  store: Store,
  shared: boolean,
  fn: () => Promise<T>,
): Promise<T> {
  if (!shared) return fn();
  const me = holderName();
  while ((await store.leases.acquire(LOCK, me, TTL_MS)).holder !== me) {
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  try {
    return await fn();
  } finally {
    await store.leases.release(LOCK, me);
  }
}
