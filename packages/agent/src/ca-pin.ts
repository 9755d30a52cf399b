// Pinning the controller's CA. The agent fetches GET /api/ca.pem once (without trusting anything
// yet), accepts it only if its SHA-256 fingerprint equals --ca-fingerprint, stores it, and from
// then on trusts that CA alone. A stored CA is reused (restarts work with the controller down) as
// long as it still matches the fingerprint given on the command line.

import { X509Certificate } from "node:crypto";
import { MicrosegError } from "@microseg/core/errors";
import { normalizeFingerprint, PATHS, sameFingerprint } from "@microseg/protocol/agent";
import type { Logger } from "pino";
import { controllerUrls } from "./controller-urls.js";
import { controllerTransport } from "./failover-transport.js";
import type { HttpResponse } from "./http-transport.js";
import type { StateStore } from "./state-store.js";

/** SHA-256 over the certificate's DER, as 64 lowercase hex digits. */
export function caFingerprint(pem: string): string {
  return normalizeFingerprint(new X509Certificate(pem).fingerprint256) ?? "";
}

/** Throws MSEG_CONTROLLER_UNREACHABLE (the pin did not match) naming both fingerprints. */
export function assertPinned(pem: string, expected: string): void {
  let actual: string;
  try {
    actual = caFingerprint(pem);
  } catch (e) {
    throw mismatch(`the controller's /api/ca.pem is not a certificate (${(e as Error).message})`);
  }
  if (!sameFingerprint(actual, expected)) {
    throw mismatch(
      `the controller's CA has fingerprint ${actual}, not the pinned ${expected}; refusing to ` +
        "talk to it. Check --ca-fingerprint against the one the controller printed.",
    );
  }
}

/**
 * The pinned CA PEM: the stored one if it matches `fingerprint`, else fetched and checked.
 * Network errors propagate (the caller retries); a mismatch throws MicrosegError.
 */
export async function pinnedCa(
  fetchCaPem: () => Promise<HttpResponse>,
  fingerprint: string,
  store: StateStore,
): Promise<string> {
  const stored = await store.readCa();
  if (stored !== undefined && sameFingerprint(caFingerprint(stored), fingerprint)) {
    return stored;
  }
  const res = await fetchCaPem();
  if (res.status !== 200 || typeof res.body !== "string") {
    throw new Error(`GET /api/ca.pem answered ${res.status}`);
  }
  assertPinned(res.body, fingerprint);
  await store.writeCa(res.body);
  return res.body;
}

function mismatch(message: string): MicrosegError {
  return new MicrosegError("MSEG_CONTROLLER_UNREACHABLE", message);
}

/**
 * The CA to trust for `controller` (one URL or a list of replicas, controller-urls.ts): pinned by
 * `fingerprint` for https (fetched from /api/ca.pem without trust, from whichever replica
 * answers, then kept in the store), none for plain http.
 */
export async function controllerCa(
  controller: string,
  fingerprint: string | undefined,
  store: StateStore,
  log?: Pick<Logger, "warn">,
): Promise<string | undefined> {
  const urls = controllerUrls(controller);
  if (new URL(urls[0] ?? controller).protocol !== "https:") return undefined;
  const fetchCaPem = () => controllerTransport(urls, { insecure: true }, log)("GET", PATHS.caPem);
  return pinnedCa(fetchCaPem, fingerprint ?? "", store);
}
