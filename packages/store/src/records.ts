// What the store keeps. Records are plain JSON-friendly values (timestamps are ISO-8601 strings in
// UTC) so the controller can hand them to the API unchanged. Secrets never reach the store: keys,
// credentials and tokens arrive already hashed by the caller.

import type { Labels, Mode, Workload } from "@microseg/core";

/** Any JSON value (audit snapshots, parsed policy). */
export type Json =
  | null
  | boolean
  | number
  | string
  | readonly Json[]
  | { readonly [k: string]: Json };

/** A workload as stored: the model's Workload plus bookkeeping. */
export interface WorkloadRecord extends Workload {
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Editable policy text. `parsed` is the controller's parsed form, `parsedVersion` its format. */
export interface Draft {
  readonly name: string;
  readonly text: string;
  readonly parsed: Json;
  readonly parsedVersion: number;
  /** The active revision when the draft was last saved (null: none was active). */
  readonly baseRevision: number | null;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

/** An immutable, numbered policy revision (numbers start at 1 and never repeat). */
export interface Revision {
  readonly number: number;
  readonly text: string;
  readonly parsed: Json;
  readonly parsedVersion: number;
  readonly author: string;
  readonly createdAt: string;
  readonly comment: string;
  /** sha256 hex of `text`: equal hashes mean equal policy documents. */
  readonly hash: string;
  /** Set when this revision was made by rolling back to an older one. */
  readonly rolledBackFrom: number | null;
}

export interface EnrolmentProfile {
  readonly id: string;
  readonly name: string;
  /** Hash of the enrolment key; the key itself is shown once by the controller, never stored. */
  readonly keyHash: string;
  /** Labels every workload enrolled with this profile gets. */
  readonly labels: Labels;
  readonly mode: Mode;
  readonly expiresAt: string | null;
  readonly maxUses: number | null;
  /**
   * The one workload this profile enrols (the agent becomes it, and may take it over when it
   * has no live agent); null: the agent names a new workload.
   */
  readonly workload: string | null;
  readonly uses: number;
  readonly revoked: boolean;
  readonly createdAt: string;
}

export interface AgentInterface {
  readonly name: string;
  readonly addresses: readonly string[];
}

/** in-sync: the table matches what was applied; drifted: someone changed it; repaired: restored. */
export type DriftState = "unknown" | "in-sync" | "drifted" | "repaired";

export interface AgentRecord {
  readonly id: string;
  readonly workload: string;
  readonly profileId: string | null;
  readonly credentialHash: string;
  readonly revoked: boolean;
  readonly hostname: string;
  readonly interfaces: readonly AgentInterface[];
  readonly enrolledAt: string;
  readonly lastHeartbeat: string | null;
  readonly appliedRevision: number | null;
  readonly appliedHash: string | null;
  readonly drift: DriftState;
  readonly lastError: string | null;
  /** sha256 (hex) of the agent's maintenance token; null until an admin issues one. */
  readonly maintenanceHash: string | null;
}

export interface ApiToken {
  readonly hash: string;
  readonly name: string;
  /** Interpreted by the controller (e.g. admin, operator, viewer); the store does not check it. */
  readonly role: string;
  readonly createdAt: string;
}

/** One link of the hash chain. `hash` = sha256(prevHash + "\n" + canonical JSON of the rest). */
export interface AuditEntry {
  readonly seq: number;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly before: Json;
  readonly after: Json;
  readonly prevHash: string;
  readonly hash: string;
}
