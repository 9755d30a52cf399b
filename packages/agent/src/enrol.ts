// `microseg-agent enrol`: the one-off enrolment the installer runs before it starts the service,
// so a wrong key or fingerprint fails the install with the controller's reason instead of a
// service that retries in the background. Pins the CA, enrols, stores the identity; the table is
// not touched (the service enforces when it starts).

import type { Logger } from "pino";
import { controllerCa } from "./ca-pin.js";
import { createControllerClient } from "./controller-client.js";
import { checkedController } from "./controller-url.js";
import { readHostFacts } from "./host-facts.js";
import { createHttpTransport } from "./http-transport.js";
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
  const store = await openStateStore(o.stateDir);
  const stored = await store.readIdentity();
  if (stored) return { identity: stored, fresh: false };
  const ca = await controllerCa(o.controller, o.caFingerprint, store);
  let credential: string | undefined;
  const client = createControllerClient(
    createHttpTransport({ baseUrl: o.controller, ca }),
    () => credential,
  );
  const identity = await ensureIdentity(store, client, o, readHostFacts(o.skipInterfaces));
  credential = identity.credential;
  return { identity, fresh: true };
}
