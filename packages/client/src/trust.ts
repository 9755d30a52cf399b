// Getting the controller's CA to trust. GET /api/ca.pem is fetched without trusting anything
// yet; the caller accepts it only when its SHA-256 (of the DER) is the pinned or remembered
// fingerprint, and from then on trusts that CA alone (transport.ts, `pinned`).
import { X509Certificate } from "node:crypto";
import { MicrosegError } from "@microseg/core";
import { normalizeFingerprint, PATHS, sameFingerprint } from "@microseg/protocol";
import { createTransport, UnreachableError } from "./transport.js";

export interface FetchedCa {
  readonly pem: string;
  /** SHA-256 of the DER, 64 lower-case hex digits. */
  readonly fingerprint: string;
}

/** SHA-256 of a PEM certificate's DER, lower-case hex; throws on a non-certificate. */
export function fingerprintOfPem(pem: string): string {
  return normalizeFingerprint(new X509Certificate(pem).fingerprint256) ?? "";
}

/** The CA the controller at `url` presents, unverified (check `fingerprint` before using it). */
export async function fetchCa(url: string, timeoutMs?: number): Promise<FetchedCa> {
  const send = createTransport({ baseUrl: url, insecure: true, timeoutMs });
  const res = await send({ method: "GET", path: PATHS.caPem });
  if (res.status !== 200) {
    const message = `GET ${PATHS.caPem} answered ${res.status}; is ${url} a microseg controller?`;
    // A 5xx is a controller that cannot serve now: another replica may (failover.ts).
    throw res.status >= 500 ? new UnreachableError(message) : untrusted(message);
  }
  try {
    return { pem: res.text, fingerprint: fingerprintOfPem(res.text) };
  } catch (e) {
    throw untrusted(`${url}${PATHS.caPem} is not a certificate (${(e as Error).message})`);
  }
}

/** The controller's CA, accepted only when it has `fingerprint` (any of the printed forms). */
export async function pinnedCa(url: string, fingerprint: string): Promise<FetchedCa> {
  if (normalizeFingerprint(fingerprint) === undefined) {
    throw new MicrosegError(
      "MSEG_USAGE",
      `"${fingerprint}" is not a SHA-256 fingerprint (64 hex digits, colons allowed)`,
    );
  }
  const ca = await fetchCa(url);
  if (!sameFingerprint(ca.fingerprint, fingerprint)) {
    throw untrusted(
      `the controller at ${url} presents a CA with fingerprint ${ca.fingerprint}, not the ` +
        `pinned ${normalizeFingerprint(fingerprint)}; refusing to talk to it`,
    );
  }
  return ca;
}

export function untrusted(message: string): MicrosegError {
  return new MicrosegError("MSEG_CONTROLLER_UNREACHABLE", message);
}
