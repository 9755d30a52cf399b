// The one-line install a controller hands out (enrol-profiles create, the console's enrolment
// page). It trusts nothing it downloads before the CA is checked: it fetches the controller's CA
// without trust, compares the SHA-256 of its DER (sed | base64 -d | sha256sum: coreutils only, no
// openssl on the host) with the fingerprint, and only then fetches the installer over TLS that
// CA verifies. The installer (served at /install.sh) checks the CA again on its own and the
// packages against SHA256SUMS.
import { normalizeFingerprint } from "./fingerprint.js";

export interface InstallCommandInput {
  /** The controller's URL as the new host reaches it (https://HOST:PORT). */
  readonly controller: string;
  /** null for a plain-HTTP controller (tests, development): no pinning then. */
  readonly caFingerprint: string | null;
  readonly enrolKey: string;
}

export const INSTALL_SCRIPT_PATH = "/install.sh";
const SHELL_SAFE = /^[A-Za-z0-9._~:/[\]@%+-]+$/;

/** A POSIX sh one-liner to run as root on the new host. */
export function installCommand(input: InstallCommandInput): string {
  const url = input.controller.replace(/\/+$/, "");
  // Pasted into a root shell: the URL goes in single quotes, the key as it is (base64url).
  if (!SHELL_SAFE.test(url) || !SHELL_SAFE.test(input.enrolKey)) {
    throw new Error(`not a controller URL and key fit for a shell command: ${url}`);
  }
  const args = `--controller '${url}' --enrol-key ${input.enrolKey}`;
  if (input.caFingerprint === null)
    return `curl -fsS '${url}${INSTALL_SCRIPT_PATH}' | sh -s -- ${args}`;
  const fp = normalizeFingerprint(input.caFingerprint);
  if (fp === undefined) throw new Error(`not a SHA-256 fingerprint: ${input.caFingerprint}`);
  return (
    `ca=$(mktemp) && curl -fsSk '${url}/api/ca.pem' -o "$ca" && ` +
    `[ "$(sed '/-----/d' "$ca" | base64 -d | sha256sum | cut -c1-64)" = ${fp} ] && ` +
    `curl -fsS --cacert "$ca" '${url}${INSTALL_SCRIPT_PATH}' | ` +
    `sh -s -- ${args} --ca-fingerprint ${fp}`
  );
}
