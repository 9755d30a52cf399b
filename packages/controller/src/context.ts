// What every use case is given. Built once by main.ts (the composition root) or by a test; use
// cases never open a store, read configuration or take the time themselves.
import type { AddressSet } from "@microseg/core";
import type { Store } from "@microseg/store";
import type { Logger } from "pino";
import type { AgentCredentials } from "./agent-credentials.js";
import type { PolicyHub } from "./hub/policy-hub.js";
import type { StatusBatcher } from "./status-batch.js";

export interface ControllerSettings {
  /** How often agents report; an agent is offline after 3 missed intervals. */
  readonly heartbeatSeconds: number;
  /** SHA-256 of the CA certificate (hex); null when serving plain HTTP. */
  readonly caFingerprint: string | null;
  readonly caPem: string | null;
  /** Addresses every agent must always allow (the controller's). */
  readonly management: AddressSet;
  /** How long a status report waits for others to share its store write (status-batch.ts). */
  readonly statusBatchMs: number;
  /** A built console (index.html + assets/) served at `/`; null: a plain message instead. */
  readonly consoleDir: string | null;
}

export interface ControllerContext {
  readonly store: Store;
  readonly hub: PolicyHub;
  /** Live agent credentials in memory; see agent-credentials.ts for when a revoke is effective. */
  readonly credentials: AgentCredentials;
  /** Agent status reports, written in batches; an answer means the report committed. */
  readonly statusReports: StatusBatcher;
  readonly clock: () => Date;
  readonly log: Logger;
  readonly settings: ControllerSettings;
}
