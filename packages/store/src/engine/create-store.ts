import type { Store } from "../port.js";
import { agentRepo } from "./agents.js";
import { alertRepo } from "./alerts.js";
import { auditRepo } from "./audit.js";
import { changeRepo, recordingChanges } from "./changes.js";
import { enrolmentRepo } from "./enrolment.js";
import { flowRepo } from "./flows.js";
import { leaseRepo, sharedSecretRepo } from "./leases.js";
import { policyRepo } from "./policy.js";
import { quarantineRepo } from "./quarantine.js";
import type { Backend, EngineContext } from "./tables.js";
import { tokenRepo } from "./tokens.js";
import { workloadRepo } from "./workloads.js";

/** The whole Store port over one backend. After close(), every method rejects. */
export function createStore(backend: Backend, ctx: EngineContext): Store {
  let closed = false;
  const guarded: Backend = {
    name: backend.name,
    run: (fn, kind) => {
      if (closed) return Promise.reject(new Error(`the ${backend.name} store is closed`));
      return backend.run(fn, kind);
    },
    schemaVersion: () => backend.schemaVersion(),
    close: () => backend.close(),
  };
  // The repositories whose writes other replicas must learn of append change rows.
  const recorded = recordingChanges(guarded, ctx);
  return {
    workloads: workloadRepo(recorded, ctx),
    policy: policyRepo(recorded, ctx),
    enrolment: enrolmentRepo(guarded, ctx),
    agents: agentRepo(recorded, ctx),
    tokens: tokenRepo(guarded, ctx),
    audit: auditRepo(guarded, ctx),
    flows: flowRepo(guarded, ctx),
    alerts: alertRepo(guarded, ctx),
    quarantine: quarantineRepo(recorded, ctx),
    changes: changeRepo(guarded),
    leases: leaseRepo(guarded, ctx),
    secrets: sharedSecretRepo(guarded, ctx),
    async info() {
      return guarded.run(
        async () => ({
          adapter: backend.name,
          schemaVersion: backend.schemaVersion(),
          shared: backend.shared === true,
        }),
        "read",
      );
    },
    async close() {
      if (closed) return;
      closed = true;
      await backend.close();
    },
  };
}
