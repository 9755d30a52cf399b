// The agent's --controller: one URL, or the replicas of one controller as "URL1,URL2,…" (all
// https, or all http; one --ca-fingerprint for all, since replicas present one CA). The text is
// kept as given (the identity stores it so); each consumer splits it with controllerUrls().

import { MicrosegError } from "@microseg/core/errors";
import { normalizeFingerprint } from "@microseg/protocol/agent";
import type { Logger } from "pino";

/** "URL1, URL2,,URL1" -> ["URL1", "URL2"]: trimmed, empty items and repeats left out. */
export function controllerUrls(text: string): string[] {
  return [
    ...new Set(
      text
        .split(",")
        .map((u) => u.trim())
        .filter((u) => u !== ""),
    ),
  ];
}

/**
 * The controller URLs, checked with the fingerprint (required for https); warns on http.
 * Throws MSEG_USAGE naming the URL that is wrong.
 */
export function checkedController(
  controller: string,
  caFingerprint: string | undefined,
  log: Pick<Logger, "warn">,
): URL[] {
  const urls = controllerUrls(controller).map(parseControllerUrl);
  const first = urls[0];
  if (first === undefined) {
    throw usage("--controller is empty: give a URL, e.g. https://198.18.0.1:8443");
  }
  if (urls.some((u) => u.protocol !== first.protocol)) {
    throw usage(
      `--controller "${controller}" mixes https:// and http:// URLs: the replicas of one ` +
        "controller present one CA, give them all as https://",
    );
  }
  if (first.protocol === "http:") {
    log.warn("plain http:// controller URL: no TLS, no pinning; for tests and development only");
  } else if (!caFingerprint) {
    throw usage("an https:// controller needs --ca-fingerprint (the controller prints it)");
  } else if (!normalizeFingerprint(caFingerprint)) {
    throw usage(`--ca-fingerprint "${caFingerprint}" is not a SHA-256 fingerprint (64 hex digits)`);
  }
  return urls;
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
