// Boot-time enforcement: the packaged `microseg-agent-restore.service` runs `microseg-agent
// restore` before the network comes up, so a rebooted host is never open, even with the
// controller unreachable. It is step 1 of the agent's life (agent.ts, enforceBeforeContact) and
// nothing else: no contact with the controller, no DNS (the controller's addresses come from the
// stored policy's management set and the IP-literal URLs among the enrolled ones: every replica
// of a "URL1,URL2,…" enrolment, like the running agent), no long-running process.
import { assertNamespaceAllowed, NftDriver } from "@microseg/nft";
import type { Logger } from "pino";
import { enforceBeforeContact } from "./agent.js";
import type { BeforePolicy } from "./before-policy.js";
import { DataplaneManager } from "./dataplane.js";
import { controllerChannel, literalAddresses } from "./management.js";
import { openStateStore } from "./state-store.js";
import { StatusReporter } from "./status-reporter.js";

export interface RestoreOptions {
  readonly stateDir: string;
  readonly hostNamespace: boolean;
  readonly beforePolicy: BeforePolicy;
}

export type RestoreOutcome =
  | { readonly enforced: "stored"; readonly revision: number | null }
  | { readonly enforced: "before-policy" }
  | { readonly enforced: "nothing"; readonly why: string };

/** Enforces the last good policy (else the before-first-policy table of an enrolled host). */
export async function restoreEnforcement(o: RestoreOptions, log: Logger): Promise<RestoreOutcome> {
  await assertNamespaceAllowed({ allowRootNamespace: o.hostNamespace });
  const store = await openStateStore(o.stateDir);
  const [identity, lastGood] = await Promise.all([
    store.readIdentity(),
    store.readLastGood().catch(() => undefined),
  ]);
  // A host that was never enrolled is left as it is: the package may be installed ahead of
  // enrolment, and a default-deny table at boot would cut off a server nobody manages yet.
  if (!identity && !lastGood) return { enforced: "nothing", why: `not enrolled (${o.stateDir})` };
  const controller = identity?.controller ?? "";
  const dataplane = new DataplaneManager({
    driverFor: (management, managementAccess) =>
      new NftDriver({ management, managementAccess, allowRootNamespace: o.hostNamespace }),
    store,
    reporter: new StatusReporter(() => undefined),
    log,
    controllerHosts: literalAddresses(controller),
    controllerChannel: controllerChannel(controller),
  });
  await enforceBeforeContact({ beforePolicy: o.beforePolicy }, { store, log }, dataplane);
  const enforced = dataplane.enforced;
  if (!enforced) throw new Error("nftables refused the stored policy and the fallback table");
  return enforced.source === "stored"
    ? { enforced: "stored", revision: enforced.revision }
    : { enforced: "before-policy" };
}
