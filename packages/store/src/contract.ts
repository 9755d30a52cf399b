// The one contract every Store adapter must pass: memory.test.ts, sqlite.test.ts (and, later, the
// PostgreSQL adapter's test) call storeContract() with a factory for their own harness. Tests are
// about behaviour seen through the port; only the audit-tamper and failpoint hooks reach under it.

import { describe } from "vitest";
import { agentContract } from "./contract/agents.js";
import { alertContract } from "./contract/alerts.js";
import { auditContract } from "./contract/audit.js";
import { changeContract } from "./contract/changes.js";
import { enrolmentContract } from "./contract/enrolment.js";
import { flowContract } from "./contract/flows.js";
import { identityContract } from "./contract/identity.js";
import { leaseContract } from "./contract/leases.js";
import { lifecycleContract } from "./contract/lifecycle.js";
import { policyContract } from "./contract/policy.js";
import { tokenContract } from "./contract/tokens.js";
import { workloadContract } from "./contract/workloads.js";
import type { MakeHarness } from "./testing.js";

export interface AdapterTraits {
  /** Data outlives close(): the adapter keeps it on disk or in a server (not the memory one). */
  readonly durable: boolean;
}

export function storeContract(name: string, makeHarness: MakeHarness, traits: AdapterTraits): void {
  describe(`Store contract: ${name}`, () => {
    workloadContract(makeHarness);
    policyContract(makeHarness);
    enrolmentContract(makeHarness);
    agentContract(makeHarness);
    identityContract(makeHarness);
    tokenContract(makeHarness);
    auditContract(makeHarness);
    flowContract(makeHarness, traits.durable);
    alertContract(makeHarness);
    changeContract(makeHarness);
    leaseContract(makeHarness);
    lifecycleContract(makeHarness, traits.durable);
  });
}
