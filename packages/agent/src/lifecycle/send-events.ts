// One status report carrying `events`, sent by a short-lived process (unpair, report-removal) or
// by the agent on its way out, with the identity and pinned CA of the state directory (read as
// they are: a missing or damaged identity is "not enrolled"). Bounded: the whole request
// (connect, TLS, answer) within `timeoutMs`; never throws.

import { ControllerError, createControllerClient } from "../controller-client.js";
import { createHttpTransport } from "../http-transport.js";
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
    const https = new URL(identity.controller).protocol === "https:";
    // Without the pinned CA an https controller cannot be trusted: nothing is sent.
    if (https && ca === undefined) return "unreachable";
    const transport = createHttpTransport({ baseUrl: identity.controller, ca });
    const client = createControllerClient(transport, () => identity.credential);
    await client.status({ events: [...events] }, { timeoutMs });
    return "sent";
  } catch (e) {
    return e instanceof ControllerError && e.refused ? "refused" : "unreachable";
  }
}
