// One status report carrying `events`, sent by a short-lived process (unpair, report-removal) or
// by the agent on its way out, with the identity and pinned CA of the state directory (read as
// they are: a missing or damaged identity is "not enrolled"). Bounded: the whole request
// (connect, TLS, answer; every enrolled controller URL it fails over to) within `timeoutMs`;
// never throws.

import { ControllerError, createControllerClient } from "../controller-client.js";
import { controllerUrls } from "../controller-urls.js";
import { controllerTransport } from "../failover-transport.js";
import { stateFiles } from "../state-store.js";
import type { AgentEvent } from "../wire.js";

export type SendOutcome =
  /** The controller accepted the report. */
  | "sent"
  /** No identity: nothing to tell and no credential to tell it with. */
  | "not-enrolled"
  /** The controller answered 4xx (revoked credential, a kind it does not know): do not retry. */
  | "refused"
  /** No answer in time, a network error, 5xx or 429: worth queueing for later. */
  | "unreachable";

export async function sendEvents(
  events: readonly AgentEvent[],
  dir: string,
  timeoutMs: number,
): Promise<SendOutcome> {
  const files = stateFiles(dir);
  const [identity, ca] = await Promise.all([
    files.readIdentity().catch(() => undefined),
    files.readCa().catch(() => undefined),
  ]);
  if (identity === undefined) return "not-enrolled";
  try {
    const urls = controllerUrls(identity.controller);
    const https = new URL(urls[0] ?? "").protocol === "https:";
    // Without the pinned CA an https controller cannot be trusted: nothing is sent.
    if (https && ca === undefined) return "unreachable";
    const client = createControllerClient(controllerTransport(urls, { ca }), () => {
      return identity.credential;
    });
    await client.status(
      { events: [...events] },
      { timeoutMs, signal: AbortSignal.timeout(timeoutMs) },
    );
    return "sent";
  } catch (e) {
    return e instanceof ControllerError && e.refused ? "refused" : "unreachable";
  }
}
