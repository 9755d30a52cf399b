// Pinning the controller's CA. The agent fetches GET /api/ca.pem once (without trusting anything
// yet), accepts it only if its SHA-256 fingerprint equals --ca-fingerprint, stores it, and from
// then on trusts that CA alone. A stored CA is reused (restarts work with the controller down) as
// long as it still matches the fingerprint given on the command line.

import { X509Certificate } from "node:crypto";
import { MicrosegError } from "@microseg/core/errors";
import { normalizeFingerprint, PATHS, sameFingerprint } from "@microseg/protocol/agent";
import { createHttpTransport, type HttpResponse } from "./http-transport.js";
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
 * The CA to trust for `controller`: pinned by `fingerprint` for https (fetched from the
 * controller's /api/ca.pem without trust, then kept in the store), none for plain http.
 */
export async function controllerCa(
  controller: string,
  fingerprint: string | undefined,
  store: StateStore,
): Promise<string | undefined> {
  if (new URL(controller).protocol !== "https:") return undefined;
  const fetchCaPem = () =>
    createHttpTransport({ baseUrl: controller, insecure: true })("GET", PATHS.caPem);
  return pinnedCa(fetchCaPem, fingerprint ?? "", store);
}
