// --controller and --ca-fingerprint as the agent's commands take them (run, enrol): checked
// before anything else happens. Its own module, so `enrol` does not load the agent's runtime.
import { MicrosegError } from "@microseg/core/errors";
import { normalizeFingerprint } from "@microseg/protocol/agent";
import type { Logger } from "pino";

/** The controller URL, checked with its fingerprint (required for https); warns on http. */
export function checkedController(
  controller: string,
  caFingerprint: string | undefined,
  log: Pick<Logger, "warn">,
): URL {
  const url = parseControllerUrl(controller);
  if (url.protocol === "http:") {
    log.warn("plain http:// controller URL: no TLS, no pinning; for tests and development only");
  } else if (!caFingerprint) {
    throw usage("an https:// controller needs --ca-fingerprint (the controller prints it)");
  } else if (!normalizeFingerprint(caFingerprint)) {
    throw usage(`--ca-fingerprint "${caFingerprint}" is not a SHA-256 fingerprint (64 hex digits)`);
  }
  return url;
}

function parseControllerUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usage(`--controller "${text}" is not a URL (e.g. https://198.18.0.1:8443)`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw usage(`--controller must be an https:// (or, for tests, http://) URL, not ${text}`);
  }
  return url;
}

function usage(message: string): MicrosegError {
  return new MicrosegError("MSEG_USAGE", message);
}
