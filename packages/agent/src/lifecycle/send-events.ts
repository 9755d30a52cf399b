// One status report carrying `events`, sent by a short-lived process (unpair, report-removal) or
// by the agent on its way out, with the identity and pinned CA of the state directory. Bounded:
// the whole request (connect, TLS, answer; every enrolled controller URL it fails over to)
// within `timeoutMs`; never throws.

import { ControllerError, createControllerClient } from "../controller-client.js";
import { controllerUrls } from "../controller-urls.js";
import { controllerTransport } from "../failover-transport.js";
import type { Identity } from "../state-store.js";
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

export interface SendEventsOptions {
  readonly identity: Identity | undefined;
  /** The pinned CA (https); undefined for an http:// controller. */
  readonly ca: string | undefined;
  readonly timeoutMs: number;
}

export async function sendEvents(
  events: readonly AgentEvent[],
  o: SendEventsOptions,
): Promise<SendOutcome> {
  const identity = o.identity;
  if (identity === undefined) return "not-enrolled";
  try {
    const urls = controllerUrls(identity.controller);
    const https = new URL(urls[0] ?? "").protocol === "https:";
    // Without the pinned CA an https controller cannot be trusted: nothing is sent.
    if (https && o.ca === undefined) return "unreachable";
    const client = createControllerClient(controllerTransport(urls, { ca: o.ca }), () => {
      return identity.credential;
    });
    const { timeoutMs } = o;
    await client.status(
      { events: [...events] },
      { timeoutMs, signal: AbortSignal.timeout(timeoutMs) },
    );
    return "sent";
  } catch (e) {
    return e instanceof ControllerError && e.refused ? "refused" : "unreachable";
  }
}
