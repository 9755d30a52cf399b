// Enrolment: once, with a key from an enrolment profile; the credential it yields is stored and
// every later start reuses it (no key needed then).

import { MicrosegError } from "@microseg/core/errors";
import { type ControllerClient, ControllerError } from "./controller-client.js";
import type { HostFacts } from "./host-facts.js";
import type { Identity, StateStore } from "./state-store.js";

export interface EnrolConfig {
  readonly controller: string;
  readonly enrolKey?: string;
  /** Workload name to ask for (default: the controller picks, usually the hostname). */
  readonly workload?: string;
}

/**
 * The stored identity, or a new one from enrolment. A refused key throws MSEG_ENROL_REFUSED;
 * network errors propagate for the caller to retry.
 */
export async function ensureIdentity(
  store: StateStore,
  client: ControllerClient,
  config: EnrolConfig,
  facts: HostFacts,
): Promise<Identity> {
  const stored = await store.readIdentity();
  if (stored) return stored;
  if (!config.enrolKey) {
    throw new MicrosegError(
      "MSEG_USAGE",
      `this agent is not enrolled yet (no identity in ${store.dir}); pass --enrol-key KEY`,
    );
  }
  try {
    const res = await client.enrol({
      key: config.enrolKey,
      hostname: facts.hostname,
      interfaces: facts.interfaces,
      ...(config.workload ? { workload: config.workload } : {}),
    });
    const identity: Identity = {
      agentId: res.agentId,
      credential: res.credential,
      workload: res.workload.name,
      controller: config.controller,
    };
    await store.writeIdentity(identity);
    return identity;
  } catch (e) {
    if (e instanceof ControllerError && e.refused) {
      throw new MicrosegError("MSEG_ENROL_REFUSED", `enrolment refused: ${e.message}`);
    }
    throw e;
  }
}
