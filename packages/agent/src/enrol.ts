// `microseg-agent enrol`: the one-off enrolment the installer runs before it starts the service,
// so a wrong key or fingerprint fails the install with the controller's reason instead of a
// service that retries in the background. Pins the CA, enrols, stores the identity; the table is
// not touched (the service enforces when it starts). With several controller URLs each is tried
// in turn (failover-transport.ts) and the identity keeps the list as given.

import type { Logger } from "pino";
import { controllerCa } from "./ca-pin.js";
import { createControllerClient } from "./controller-client.js";
import { checkedController, controllerUrls } from "./controller-urls.js";
import { controllerTransport } from "./failover-transport.js";
import { readHostFacts } from "./host-facts.js";
import { ensureIdentity } from "./identity.js";
import { type Identity, openStateStore } from "./state-store.js";

export interface EnrolOptions {
  readonly controller: string;
  readonly caFingerprint?: string;
  readonly enrolKey?: string;
  readonly stateDir: string;
  readonly workload?: string;
  readonly skipInterfaces?: readonly string[];
}

/** The identity (new, or the stored one: `fresh` false); throws MicrosegError on a refusal. */
export async function enrolHost(
  o: EnrolOptions,
  log: Logger,
): Promise<{ identity: Identity; fresh: boolean }> {
  checkedController(o.controller, o.caFingerprint, log);
  const urls = controllerUrls(o.controller);
  const store = await openStateStore(o.stateDir);
  const stored = await store.readIdentity();
  if (stored) return { identity: stored, fresh: false };
  const ca = await controllerCa(o.controller, o.caFingerprint, store, log);
  let credential: string | undefined;
  const client = createControllerClient(controllerTransport(urls, { ca }, log), () => credential);
  const identity = await ensureIdentity(store, client, o, readHostFacts(o.skipInterfaces));
  credential = identity.credential;
  return { identity, fresh: true };
}
